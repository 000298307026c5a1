// Stored fingerprints and endpoints of the employments among $ids, in one row; ids not stored are left out.
// params: $ids (list of employment ids)
// returns: found (list of [id, fp, [person id, company id]])
UNWIND $ids AS id
MATCH (p:Person)-[e:WORKS_AT {id: id}]->(c:Company)
RETURN collect([id, e.fp, [p.id, c.id]]) AS found
