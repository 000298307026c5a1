// Delete referrals with their relationships.
// params: $ids (list of referral ids, without duplicates)
// returns: ids (the ids that were stored)
UNWIND $ids AS id
MATCH (r:Referral {id: id})
DETACH DELETE r
RETURN collect(id) AS ids
