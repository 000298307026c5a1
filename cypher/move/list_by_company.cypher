// One page of the job moves from or to one company in id order after the cursor.
// params: $company_id, $after (id cursor, '' for the start), $limit (page size)
// returns: docs (list of JSON texts, in id order)
MATCH (:Company {id: $company_id})<-[:FROM|TO]-(m:JobMove)
WHERE m.id > $after
WITH DISTINCT m
ORDER BY m.id LIMIT $limit
RETURN collect(m.doc) AS docs
