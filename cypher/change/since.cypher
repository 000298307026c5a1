// Changes after a seq, in seq order.
// params: $seq (exclusive lower bound), $limit (most entries returned)
// returns: seq, entity, op, ids, at
MATCH (c:Change)
WHERE c.seq > $seq
RETURN c.seq AS seq, c.entity AS entity, c.op AS op, c.ids AS ids, c.at AS at
ORDER BY c.seq
LIMIT $limit
