// The stored JSON of the employments among $ids.
// params: $ids (list of employment ids)
// returns: id, doc
UNWIND $ids AS id
MATCH ()-[e:WORKS_AT {id: id}]->()
RETURN id, e.doc AS doc
