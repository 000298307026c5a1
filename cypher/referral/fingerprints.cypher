// Stored fingerprints of the referrals among $ids, in one row; ids not stored are left out.
// params: $ids (list of referral ids)
// returns: found (list of [id, fp])
UNWIND $ids AS id
MATCH (r:Referral {id: id})
RETURN collect([id, r.fp]) AS found
