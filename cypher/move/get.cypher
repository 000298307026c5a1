// The stored JSON of the job moves among $ids, in one row.
// params: $ids (list of job move ids)
// returns: found (list of [id, doc])
UNWIND $ids AS id
MATCH (m:JobMove {id: id})
RETURN collect([id, m.doc]) AS found
