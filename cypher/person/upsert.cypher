// Create or replace persons; the caller sends only rows whose fingerprint changed.
// params: $rows (list of {id, props}; props are all node properties: id, native fields, fp, doc)
// returns: -
UNWIND $rows AS row
MERGE (p:Person {id: row.id})
SET p = row.props
