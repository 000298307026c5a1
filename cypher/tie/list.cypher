// One page of ties in id order after the cursor.
// params: $after (id cursor, '' for the start), $limit (page size)
// returns: doc
MATCH ()-[t:TIE]->()
WHERE t.id > $after
RETURN t.doc AS doc
ORDER BY t.id
LIMIT $limit
