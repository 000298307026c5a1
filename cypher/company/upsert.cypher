// Create or replace companies; the caller sends only rows whose fingerprint changed.
// params: $rows (list of {id, props}; props are all node properties: id, native fields, fp, doc)
// returns: -
UNWIND $rows AS row
MERGE (c:Company {id: row.id})
SET c = row.props
