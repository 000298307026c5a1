// Delete interactions with their IN relationships.
// params: $ids (list of interaction ids, without duplicates)
// returns: ids (the ids that were stored)
UNWIND $ids AS id
MATCH (i:Interaction {id: id})
DETACH DELETE i
RETURN collect(id) AS ids
