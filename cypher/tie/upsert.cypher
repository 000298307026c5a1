// Create or replace ties from person a to person b (a < b); a missing person writes nothing.
// Rows whose endpoints changed must be deleted first (tie/delete.cypher).
// params: $rows (list of {id, a, b, props}; props are all relationship properties: id, native fields, fp, doc)
// returns: -
UNWIND $rows AS row
MATCH (a:Person {id: row.a})
MATCH (b:Person {id: row.b})
MERGE (a)-[t:TIE {id: row.id}]->(b)
SET t = row.props
