// Stored fingerprints and endpoints of the ties among $ids, in one row; ids not stored are left out.
// params: $ids (list of tie ids)
// returns: found (list of [id, fp, [a, b]])
UNWIND $ids AS id
MATCH (a:Person)-[t:TIE {id: id}]->(b:Person)
RETURN collect([id, t.fp, [a.id, b.id]]) AS found
