// Take erased records' ids out of every change-feed entry (the feed keeps no trace of an erased person).
// params: $ids (list of record ids)
// returns: scrubbed (entries changed)
MATCH (c:Change)
WHERE any(id IN c.ids WHERE id IN $ids)
SET c.ids = [id IN c.ids WHERE NOT id IN $ids]
RETURN count(c) AS scrubbed
