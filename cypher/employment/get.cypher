// The stored JSON of the employments among $ids, in one row.
// params: $ids (list of employment ids)
// returns: found (list of [id, doc])
UNWIND $ids AS id
MATCH ()-[e:WORKS_AT {id: id}]->()
RETURN collect([id, e.doc]) AS found
