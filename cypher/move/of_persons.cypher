// Ids of every job move of these persons.
// params: $person_ids (list of person ids, without duplicates)
// returns: ids
UNWIND $person_ids AS person_id
MATCH (:Person {id: person_id})-[:MOVED]->(m:JobMove)
RETURN collect(m.id) AS ids
