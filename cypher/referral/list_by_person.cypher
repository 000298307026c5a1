// One page of the referrals a person appears in (referrer, referred or referred to) in id order.
// params: $person_id, $after (id cursor, '' for the start), $limit (page size)
// returns: docs (list of JSON texts, in id order)
MATCH (:Person {id: $person_id})-[:REFERRER|REFERRED|REFERRED_TO]->(r:Referral)
WHERE r.id > $after
WITH DISTINCT r
ORDER BY r.id LIMIT $limit
RETURN collect(r.doc) AS docs
