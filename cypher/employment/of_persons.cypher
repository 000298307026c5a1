// Every employment, current or past, of these persons, in id order.
// params: $person_ids (list of person ids, without duplicates)
// returns: docs (list of JSON texts, in id order)
UNWIND $person_ids AS person_id
MATCH (:Person {id: person_id})-[e:WORKS_AT]->(:Company)
WITH e ORDER BY e.id
RETURN collect(e.doc) AS docs
