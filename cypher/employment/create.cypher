// Create employments not stored yet, between existing persons and companies (a missing end writes nothing).
// Properties are named one by one: `SET e = row.props` would make the planner match every row before creating any.
// params: $rows (list of {id, person, company, props}; props are all relationship properties: id, native fields, fp, doc)
// returns: -
UNWIND $rows AS row
MATCH (p:Person {id: row.person})
MATCH (c:Company {id: row.company})
CREATE (p)-[:WORKS_AT {id: row.props.id, title: row.props.title, department: row.props.department,
                       decision_layer: row.props.decision_layer, seniority: row.props.seniority,
                       start: row.props.start, end: row.props.end, precision: row.props.precision,
                       source: row.props.source, fp: row.props.fp, doc: row.props.doc}]->(c)
