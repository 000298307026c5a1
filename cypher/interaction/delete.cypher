// Delete interactions with their IN relationships.
// params: $ids (list of interaction ids, without duplicates)
// returns: id
UNWIND $ids AS id
MATCH (i:Interaction {id: id})
DETACH DELETE i
RETURN id
