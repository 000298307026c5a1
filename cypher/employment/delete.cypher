// Delete employments by id.
// params: $ids (list of employment ids, without duplicates)
// returns: ids (the ids that were stored)
UNWIND $ids AS id
MATCH ()-[e:WORKS_AT {id: id}]->()
DELETE e
RETURN collect(id) AS ids
