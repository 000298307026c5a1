// One page of one person's job moves in id order, optionally only those from or to one company.
// params: $person_id, $company_id (or null), $after (id cursor, '' for the start), $limit (page size)
// returns: docs (list of JSON texts, in id order)
MATCH (:Person {id: $person_id})-[:MOVED]->(m:JobMove)
WHERE m.id > $after
  AND ($company_id IS NULL OR EXISTS { (m)-[:FROM|TO]->(:Company {id: $company_id}) })
WITH m ORDER BY m.id LIMIT $limit
RETURN collect(m.doc) AS docs
