// One page of the ties of one person (either end) in id order after the cursor.
// params: $person_id, $after (id cursor, '' for the start), $limit (page size)
// returns: docs (list of JSON texts, in id order)
MATCH (:Person {id: $person_id})-[t:TIE]-(:Person)
WHERE t.id > $after
WITH t ORDER BY t.id LIMIT $limit
RETURN collect(t.doc) AS docs
