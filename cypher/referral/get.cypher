// The stored JSON of the referrals among $ids.
// params: $ids (list of referral ids)
// returns: id, doc
UNWIND $ids AS id
MATCH (r:Referral {id: id})
RETURN id, r.doc AS doc
