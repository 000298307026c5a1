// Delete job moves with their relationships.
// params: $ids (list of job move ids, without duplicates)
// returns: ids (the ids that were stored)
UNWIND $ids AS id
MATCH (m:JobMove {id: id})
DETACH DELETE m
RETURN collect(id) AS ids
