// One page of the employments at one company in id order, optionally current or past.
// params: $company_id, $current (boolean or null), $after (id cursor, '' for the start), $limit
// returns: docs (list of JSON texts, in id order)
MATCH (:Company {id: $company_id})<-[e:WORKS_AT]-(:Person)
WHERE e.id > $after AND ($current IS NULL OR (e.`end` IS NULL) = $current)
WITH e ORDER BY e.id LIMIT $limit
RETURN collect(e.doc) AS docs
