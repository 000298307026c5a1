// Append one entry to the change feed (the caller holds the lock from change/lock.cypher).
// params: $entity, $op ('upsert' or 'delete'), $ids (list of record ids), $at (datetime, UTC)
// returns: seq
MERGE (c:Counter {name: 'changes'})
SET c.value = coalesce(c.value, 0) + 1, c.at = $at
CREATE (:Change {seq: c.value, entity: $entity, op: $op, ids: $ids, at: $at})
RETURN c.value AS seq
