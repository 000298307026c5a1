// Delete ties by id.
// params: $ids (list of tie ids, without duplicates)
// returns: ids (the ids that were stored)
UNWIND $ids AS id
MATCH ()-[t:TIE {id: id}]->()
DELETE t
RETURN collect(id) AS ids
