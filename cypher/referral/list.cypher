// One page of referrals in id order after the cursor.
// params: $after (id cursor, '' for the start), $limit (page size)
// returns: doc
MATCH (r:Referral)
WHERE r.id > $after
RETURN r.doc AS doc
ORDER BY r.id
LIMIT $limit
