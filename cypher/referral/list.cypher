// One page of referrals in id order after the cursor.
// params: $after (id cursor, '' for the start), $limit (page size)
// returns: docs (list of JSON texts, in id order)
MATCH (r:Referral)
WHERE r.id > $after
WITH r ORDER BY r.id LIMIT $limit
RETURN collect(r.doc) AS docs
