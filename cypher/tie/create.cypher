// Create ties not stored yet, from person a to person b (a < b); a missing person writes nothing.
// params: $rows (list of {id, a, b, props}; props are all relationship properties: id, native fields, fp, doc)
// returns: -
UNWIND $rows AS row
MATCH (a:Person {id: row.a})
MATCH (b:Person {id: row.b})
CREATE (a)-[t:TIE]->(b)
SET t = row.props
