// Append one entry to the change feed. The counter node is write-locked first (SET), and the
// lock is held until commit, so writers are serialised and seq grows in commit order.
// params: $entity, $op ('upsert' or 'delete'), $ids (list of record ids), $at (datetime, UTC)
// returns: seq
MERGE (c:Counter {name: 'changes'})
SET c.at = $at
WITH c
SET c.value = coalesce(c.value, 0) + 1
CREATE (:Change {seq: c.value, entity: $entity, op: $op, ids: $ids, at: $at})
RETURN c.value AS seq
