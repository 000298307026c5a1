// The stored JSON of the companys among $ids, in one row.
// params: $ids (list of company ids)
// returns: found (list of [id, doc])
UNWIND $ids AS id
MATCH (c:Company {id: id})
RETURN collect([id, c.doc]) AS found
