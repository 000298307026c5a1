// The stored JSON of the ties among $ids, in one row.
// params: $ids (list of tie ids)
// returns: found (list of [id, doc])
UNWIND $ids AS id
MATCH ()-[t:TIE {id: id}]->()
RETURN collect([id, t.doc]) AS found
