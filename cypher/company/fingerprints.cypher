// Stored fingerprints of the companies among $ids; ids not stored are left out.
// params: $ids (list of company ids)
// returns: id, fp
UNWIND $ids AS id
MATCH (c:Company {id: id})
RETURN id, c.fp AS fp
