// Stored fingerprints of the interactions among $ids; ids not stored are left out.
// params: $ids (list of interaction ids)
// returns: id, fp
UNWIND $ids AS id
MATCH (i:Interaction {id: id})
RETURN id, i.fp AS fp
