// One page of job moves in id order after the cursor.
// params: $after (id cursor, '' for the start), $limit (page size)
// returns: doc
MATCH (m:JobMove)
WHERE m.id > $after
RETURN m.doc AS doc
ORDER BY m.id
LIMIT $limit
