// The stored JSON of the interactions among $ids, in one row.
// params: $ids (list of interaction ids)
// returns: found (list of [id, doc])
UNWIND $ids AS id
MATCH (i:Interaction {id: id})
RETURN collect([id, i.doc]) AS found
