// One page of persons in id order after the cursor, optionally only internal or only external ones.
// params: $after (id cursor, '' for the start), $limit (page size), $internal (boolean or null for all)
// returns: doc
MATCH (p:Person)
WHERE p.id > $after AND ($internal IS NULL OR p.internal = $internal)
RETURN p.doc AS doc
ORDER BY p.id
LIMIT $limit
