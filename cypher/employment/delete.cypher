// Delete employments by id.
// The index hint keeps it an index seek, also when first planned on a store without any of them yet.
// params: $ids (list of employment ids, without duplicates)
// returns: ids (the ids that were stored)
UNWIND $ids AS id
MATCH ()-[e:WORKS_AT {id: id}]->()
USING INDEX e:WORKS_AT(id)
DELETE e
RETURN collect(id) AS ids
