// Replace the properties of stored employments whose person and company stay the same.
// The index hint keeps it an index seek, also when first planned on a store without any of them yet.
// params: $rows (list of {id, props}; props are all relationship properties: id, native fields, fp, doc)
// returns: -
UNWIND $rows AS row
MATCH ()-[e:WORKS_AT {id: row.id}]->()
USING INDEX e:WORKS_AT(id)
SET e = row.props
