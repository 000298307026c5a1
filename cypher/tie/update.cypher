// Replace the properties of stored ties whose persons stay the same.
// params: $rows (list of {id, props}; props are all relationship properties: id, native fields, fp, doc)
// returns: -
UNWIND $rows AS row
MATCH ()-[t:TIE {id: row.id}]->()
SET t = row.props
