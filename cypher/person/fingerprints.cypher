// Stored fingerprints of the persons among $ids; ids not stored are left out.
// params: $ids (list of person ids)
// returns: id, fp
UNWIND $ids AS id
MATCH (p:Person {id: id})
RETURN id, p.fp AS fp
