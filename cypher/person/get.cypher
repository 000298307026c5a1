// The stored JSON of the persons among $ids, in one row.
// params: $ids (list of person ids)
// returns: found (list of [id, doc])
UNWIND $ids AS id
MATCH (p:Person {id: id})
RETURN collect([id, p.doc]) AS found
