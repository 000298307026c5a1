// The seq of the last committed change, 0 when there is none.
// params: none
// returns: seq
OPTIONAL MATCH (c:Counter {name: 'changes'})
RETURN coalesce(c.value, 0) AS seq
