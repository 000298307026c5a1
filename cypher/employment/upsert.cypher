// Create or replace employments between existing persons and companies (a missing end writes nothing).
// Rows whose endpoints changed must be deleted first (employment/delete.cypher).
// params: $rows (list of {id, person, company, props}; props are all relationship properties: id, native fields, fp, doc)
// returns: -
UNWIND $rows AS row
MATCH (p:Person {id: row.person})
MATCH (c:Company {id: row.company})
MERGE (p)-[e:WORKS_AT {id: row.id}]->(c)
SET e = row.props
