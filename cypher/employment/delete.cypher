// Delete employments by id.
// params: $ids (list of employment ids, without duplicates)
// returns: id
UNWIND $ids AS id
MATCH ()-[e:WORKS_AT {id: id}]->()
DELETE e
RETURN id
