// Create or replace job moves with (:Person)-[:MOVED]->(m), (m)-[:FROM]->(:Company) and
// (m)-[:TO]->(:Company); persons or companies not stored get no relationship.
// params: $rows (list of {id, props, person, from, to}; props are all node properties: id, native fields, fp, doc)
// returns: -
UNWIND $rows AS row
MERGE (m:JobMove {id: row.id})
SET m = row.props
FOREACH (old IN [(m)-[x:FROM|TO]->() | x] + [(m)<-[x:MOVED]-() | x] | DELETE old)
WITH m, row
OPTIONAL MATCH (p:Person {id: row.person})
OPTIONAL MATCH (from:Company {id: row.from})
OPTIONAL MATCH (to:Company {id: row.to})
FOREACH (x IN CASE WHEN p IS NULL THEN [] ELSE [p] END | CREATE (x)-[:MOVED]->(m))
FOREACH (x IN CASE WHEN from IS NULL THEN [] ELSE [from] END | CREATE (m)-[:FROM]->(x))
FOREACH (x IN CASE WHEN to IS NULL THEN [] ELSE [to] END | CREATE (m)-[:TO]->(x))
