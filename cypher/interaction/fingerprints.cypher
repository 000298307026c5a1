// Stored fingerprints of the interactions among $ids, in one row; ids not stored are left out.
// params: $ids (list of interaction ids)
// returns: found (list of [id, fp])
UNWIND $ids AS id
MATCH (i:Interaction {id: id})
RETURN collect([id, i.fp]) AS found
