// One page of the ties of one person (either end) in id order after the cursor.
// params: $person_id, $after (id cursor, '' for the start), $limit (page size)
// returns: doc
MATCH (:Person {id: $person_id})-[t:TIE]-(:Person)
WHERE t.id > $after
RETURN t.doc AS doc
ORDER BY t.id
LIMIT $limit
