// The stored JSON of the companies among $ids.
// params: $ids (list of company ids)
// returns: id, doc
UNWIND $ids AS id
MATCH (c:Company {id: id})
RETURN id, c.doc AS doc
