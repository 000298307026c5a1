// Stored fingerprints of the persons among $ids, in one row; ids not stored are left out.
// params: $ids (list of person ids)
// returns: found (list of [id, fp])
UNWIND $ids AS id
MATCH (p:Person {id: id})
RETURN collect([id, p.fp]) AS found
