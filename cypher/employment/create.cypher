// Create employments not stored yet, between existing persons and companies (a missing end writes nothing).
// params: $rows (list of {id, person, company, props}; props are all relationship properties: id, native fields, fp, doc)
// returns: -
UNWIND $rows AS row
MATCH (p:Person {id: row.person})
MATCH (c:Company {id: row.company})
CREATE (p)-[e:WORKS_AT]->(c)
SET e = row.props
