// One page of a collection's documents in id order after the cursor.
// params: $collection, $after (id cursor, '' for the start), $limit (page size)
// returns: doc (JSON text)
MATCH (d:Doc {collection: $collection})
WHERE d.id > $after
RETURN d.doc AS doc
ORDER BY d.id
LIMIT $limit
