// Every interaction these persons took part in (any role), once each: a bounded projection's neighbourhood.
// params: $person_ids (list of person ids, without duplicates)
// returns: docs (list of JSON texts)
UNWIND $person_ids AS person_id
MATCH (:Person {id: person_id})-[:IN]->(i:Interaction)
WITH DISTINCT i
RETURN collect(i.doc) AS docs
