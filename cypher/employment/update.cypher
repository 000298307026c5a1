// Replace the properties of stored employments whose person and company stay the same.
// params: $rows (list of {id, props}; props are all relationship properties: id, native fields, fp, doc)
// returns: -
UNWIND $rows AS row
MATCH ()-[e:WORKS_AT {id: row.id}]->()
SET e = row.props
