// Stored fingerprints and endpoints of the ties among $ids; ids not stored are left out.
// params: $ids (list of tie ids)
// returns: id, fp, ends ([a, b] person ids)
UNWIND $ids AS id
MATCH (a:Person)-[t:TIE {id: id}]->(b:Person)
RETURN id, t.fp AS fp, [a.id, b.id] AS ends
