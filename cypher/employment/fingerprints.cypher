// Stored fingerprints and endpoints of the employments among $ids; ids not stored are left out.
// params: $ids (list of employment ids)
// returns: id, fp, ends ([person id, company id])
UNWIND $ids AS id
MATCH (p:Person)-[e:WORKS_AT {id: id}]->(c:Company)
RETURN id, e.fp AS fp, [p.id, c.id] AS ends
