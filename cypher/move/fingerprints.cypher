// Stored fingerprints of the job moves among $ids, in one row; ids not stored are left out.
// params: $ids (list of job move ids)
// returns: found (list of [id, fp])
UNWIND $ids AS id
MATCH (m:JobMove {id: id})
RETURN collect([id, m.fp]) AS found
