// Delete referrals with their relationships.
// params: $ids (list of referral ids, without duplicates)
// returns: id
UNWIND $ids AS id
MATCH (r:Referral {id: id})
DETACH DELETE r
RETURN id
