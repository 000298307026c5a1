// One page of one person's employments in id order, optionally at one company and current or past.
// params: $person_id, $company_id (or null), $current (boolean or null), $after (id cursor, '' for the start), $limit
// returns: docs (list of JSON texts, in id order)
MATCH (:Person {id: $person_id})-[e:WORKS_AT]->(c:Company)
WHERE e.id > $after
  AND ($company_id IS NULL OR c.id = $company_id)
  AND ($current IS NULL OR (e.`end` IS NULL) = $current)
WITH e ORDER BY e.id LIMIT $limit
RETURN collect(e.doc) AS docs
