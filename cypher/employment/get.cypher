// The stored JSON of the employments among $ids, in one row.
// The index hint keeps it an index seek, also when first planned on a store without any of them yet.
// params: $ids (list of employment ids)
// returns: found (list of [id, doc])
UNWIND $ids AS id
MATCH ()-[e:WORKS_AT {id: id}]->()
USING INDEX e:WORKS_AT(id)
RETURN collect([id, e.doc]) AS found
