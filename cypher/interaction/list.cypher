// One page of interactions in id order after the cursor.
// params: $after (id cursor, '' for the start), $limit (page size)
// returns: doc
MATCH (i:Interaction)
WHERE i.id > $after
RETURN i.doc AS doc
ORDER BY i.id
LIMIT $limit
