// Delete ties by id.
// The index hint keeps it an index seek, also when first planned on a store without any of them yet.
// params: $ids (list of tie ids, without duplicates)
// returns: ids (the ids that were stored)
UNWIND $ids AS id
MATCH ()-[t:TIE {id: id}]->()
USING INDEX t:TIE(id)
DELETE t
RETURN collect(id) AS ids
