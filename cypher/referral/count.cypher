// How many referrals are stored.
// params: none
// returns: n
MATCH (r:Referral)
RETURN count(r) AS n
