// Stored fingerprints and endpoints of the ties among $ids, in one row; ids not stored are left out.
// The index hint keeps it an index seek, also when first planned on a store without any of them yet.
// params: $ids (list of tie ids)
// returns: found (list of [id, fp, [a, b]])
UNWIND $ids AS id
MATCH (a)-[t:TIE {id: id}]->(b)
USING INDEX t:TIE(id)
RETURN collect([id, t.fp, [a.id, b.id]]) AS found
