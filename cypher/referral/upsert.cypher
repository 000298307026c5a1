// Create or replace referrals and their REFERRER, REFERRED and REFERRED_TO relationships from the
// persons; persons not stored (and a null `to`) get no relationship.
// params: $rows (list of {id, props, referrer, referred, to}; props are all node properties: id, native fields, fp, doc)
// returns: -
UNWIND $rows AS row
MERGE (r:Referral {id: row.id})
SET r = row.props
FOREACH (old IN [(r)<-[x:REFERRER|REFERRED|REFERRED_TO]-() | x] | DELETE old)
WITH r, row
OPTIONAL MATCH (referrer:Person {id: row.referrer})
OPTIONAL MATCH (referred:Person {id: row.referred})
OPTIONAL MATCH (to:Person {id: row.to})
FOREACH (p IN CASE WHEN referrer IS NULL THEN [] ELSE [referrer] END | CREATE (p)-[:REFERRER]->(r))
FOREACH (p IN CASE WHEN referred IS NULL THEN [] ELSE [referred] END | CREATE (p)-[:REFERRED]->(r))
FOREACH (p IN CASE WHEN to IS NULL THEN [] ELSE [to] END | CREATE (p)-[:REFERRED_TO]->(r))
