// Stored fingerprints and endpoints of the employments among $ids, in one row; ids not stored are left out.
// The index hint keeps it an index seek, also when first planned on a store without any of them yet.
// params: $ids (list of employment ids)
// returns: found (list of [id, fp, [person id, company id]])
UNWIND $ids AS id
MATCH (p)-[e:WORKS_AT {id: id}]->(c)
USING INDEX e:WORKS_AT(id)
RETURN collect([id, e.fp, [p.id, c.id]]) AS found
