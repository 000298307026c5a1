// One page of persons in id order after the cursor, optionally only internal or only external ones.
// params: $after (id cursor, '' for the start), $limit (page size), $internal (boolean or null for all)
// returns: docs (list of JSON texts, in id order)
MATCH (p:Person)
WHERE p.id > $after AND ($internal IS NULL OR p.internal = $internal)
WITH p ORDER BY p.id LIMIT $limit
RETURN collect(p.doc) AS docs
