// The stored JSON of the interactions among $ids.
// params: $ids (list of interaction ids)
// returns: id, doc
UNWIND $ids AS id
MATCH (i:Interaction {id: id})
RETURN id, i.doc AS doc
