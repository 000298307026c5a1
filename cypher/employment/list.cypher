// One page of employments in id order after the cursor, optionally only current (no end) or only past ones.
// params: $after (id cursor, '' for the start), $limit (page size), $current (boolean or null for all)
// returns: docs (list of JSON texts, in id order)
MATCH ()-[e:WORKS_AT]->()
WHERE e.id > $after AND ($current IS NULL OR (e.`end` IS NULL) = $current)
WITH e ORDER BY e.id LIMIT $limit
RETURN collect(e.doc) AS docs
