// One page of companies in id order after the cursor, optionally of one status.
// params: $after (id cursor, '' for the start), $limit (page size), $status (status or null for all)
// returns: docs (list of JSON texts, in id order)
MATCH (c:Company)
WHERE c.id > $after AND ($status IS NULL OR c.status = $status)
WITH c ORDER BY c.id LIMIT $limit
RETURN collect(c.doc) AS docs
