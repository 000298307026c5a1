// The stored JSON of the ties among $ids.
// params: $ids (list of tie ids)
// returns: id, doc
UNWIND $ids AS id
MATCH ()-[t:TIE {id: id}]->()
RETURN id, t.doc AS doc
