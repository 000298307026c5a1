// The stored JSON of the referrals among $ids, in one row.
// params: $ids (list of referral ids)
// returns: found (list of [id, doc])
UNWIND $ids AS id
MATCH (r:Referral {id: id})
RETURN collect([id, r.doc]) AS found
