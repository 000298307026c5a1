// One page of the interactions a person took part in (any role) in id order after the cursor.
// params: $person_id, $after (id cursor, '' for the start), $limit (page size)
// returns: docs (list of JSON texts, in id order)
MATCH (:Person {id: $person_id})-[:IN]->(i:Interaction)
WHERE i.id > $after
WITH DISTINCT i
ORDER BY i.id LIMIT $limit
RETURN collect(i.doc) AS docs
