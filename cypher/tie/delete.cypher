// Delete ties by id.
// params: $ids (list of tie ids, without duplicates)
// returns: id
UNWIND $ids AS id
MATCH ()-[t:TIE {id: id}]->()
DELETE t
RETURN id
