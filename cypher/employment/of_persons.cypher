// Every employment, current or past, of these persons, in id order.
// params: $person_ids (list of person ids, without duplicates)
// returns: doc
UNWIND $person_ids AS person_id
MATCH (:Person {id: person_id})-[e:WORKS_AT]->(:Company)
RETURN e.doc AS doc
ORDER BY e.id
