// One page of companies in id order after the cursor, optionally of one status.
// params: $after (id cursor, '' for the start), $limit (page size), $status (status or null for all)
// returns: doc
MATCH (c:Company)
WHERE c.id > $after AND ($status IS NULL OR c.status = $status)
RETURN c.doc AS doc
ORDER BY c.id
LIMIT $limit
