// Stored fingerprints of the companys among $ids, in one row; ids not stored are left out.
// params: $ids (list of company ids)
// returns: found (list of [id, fp])
UNWIND $ids AS id
MATCH (c:Company {id: id})
RETURN collect([id, c.fp]) AS found
