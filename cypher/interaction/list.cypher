// One page of interactions in id order after the cursor.
// params: $after (id cursor, '' for the start), $limit (page size)
// returns: docs (list of JSON texts, in id order)
MATCH (i:Interaction)
WHERE i.id > $after
WITH i ORDER BY i.id LIMIT $limit
RETURN collect(i.doc) AS docs
