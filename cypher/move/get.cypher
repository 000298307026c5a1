// The stored JSON of the job moves among $ids.
// params: $ids (list of job move ids)
// returns: id, doc
UNWIND $ids AS id
MATCH (m:JobMove {id: id})
RETURN id, m.doc AS doc
