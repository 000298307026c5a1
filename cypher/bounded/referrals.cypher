// Every referral these persons appear in (referrer, referred or referred to), once each.
// params: $person_ids (list of person ids, without duplicates)
// returns: docs (list of JSON texts)
UNWIND $person_ids AS person_id
MATCH (:Person {id: person_id})-[:REFERRER|REFERRED|REFERRED_TO]->(r:Referral)
WITH DISTINCT r
RETURN collect(r.doc) AS docs
