// The stored JSON of the ties among $ids, in one row.
// The index hint keeps it an index seek, also when first planned on a store without any of them yet.
// params: $ids (list of tie ids)
// returns: found (list of [id, doc])
UNWIND $ids AS id
MATCH ()-[t:TIE {id: id}]->()
USING INDEX t:TIE(id)
RETURN collect([id, t.doc]) AS found
