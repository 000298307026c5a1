// Changes after a seq, in seq order, in one row.
// params: $seq (exclusive lower bound), $limit (most entries returned)
// returns: changes (list of [seq, entity, op, ids, at], in seq order)
MATCH (c:Change)
WHERE c.seq > $seq
WITH c ORDER BY c.seq LIMIT $limit
RETURN collect([c.seq, c.entity, c.op, c.ids, c.at]) AS changes
