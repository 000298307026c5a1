// Create ties not stored yet, from person a to person b (a < b); a missing person writes nothing.
// Properties are named one by one: `SET t = row.props` would make the planner match every row before creating any.
// params: $rows (list of {id, a, b, props}; props are all relationship properties: id, native fields, fp, doc)
// returns: -
UNWIND $rows AS row
MATCH (a:Person {id: row.a})
MATCH (b:Person {id: row.b})
CREATE (a)-[:TIE {id: row.props.id, strength: row.props.strength, kind: row.props.kind, source: row.props.source,
                  since: row.props.since, owner: row.props.owner, visibility: row.props.visibility,
                  fp: row.props.fp, doc: row.props.doc}]->(b)
