// The stored JSON of the persons among $ids.
// params: $ids (list of person ids)
// returns: id, doc
UNWIND $ids AS id
MATCH (p:Person {id: id})
RETURN id, p.doc AS doc
