// One page of ties in id order after the cursor.
// params: $after (id cursor, '' for the start), $limit (page size)
// returns: docs (list of JSON texts, in id order)
MATCH ()-[t:TIE]->()
WHERE t.id > $after
WITH t ORDER BY t.id LIMIT $limit
RETURN collect(t.doc) AS docs
