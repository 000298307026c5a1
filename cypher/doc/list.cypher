// One page of a collection's documents in id order after the cursor.
// params: $collection, $after (id cursor, '' for the start), $limit (page size)
// returns: docs (list of JSON texts, in id order)
MATCH (d:Doc {collection: $collection})
WHERE d.id > $after
WITH d ORDER BY d.id LIMIT $limit
RETURN collect(d.doc) AS docs
