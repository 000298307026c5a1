// Replace the properties of stored ties whose persons stay the same.
// The index hint keeps it an index seek, also when first planned on a store without any of them yet.
// params: $rows (list of {id, props}; props are all relationship properties: id, native fields, fp, doc)
// returns: -
UNWIND $rows AS row
MATCH ()-[t:TIE {id: row.id}]->()
USING INDEX t:TIE(id)
SET t = row.props
