// One page of job moves in id order after the cursor.
// params: $after (id cursor, '' for the start), $limit (page size)
// returns: docs (list of JSON texts, in id order)
MATCH (m:JobMove)
WHERE m.id > $after
WITH m ORDER BY m.id LIMIT $limit
RETURN collect(m.doc) AS docs
