// Stored fingerprints of the referrals among $ids; ids not stored are left out.
// params: $ids (list of referral ids)
// returns: id, fp
UNWIND $ids AS id
MATCH (r:Referral {id: id})
RETURN id, r.fp AS fp
