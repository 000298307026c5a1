// Every tie of these persons (either end), once each: a bounded projection's neighbourhood.
// params: $person_ids (list of person ids, without duplicates)
// returns: docs (list of JSON texts)
UNWIND $person_ids AS person_id
MATCH (:Person {id: person_id})-[t:TIE]-(:Person)
WITH DISTINCT t
RETURN collect(t.doc) AS docs
