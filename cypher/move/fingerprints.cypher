// Stored fingerprints of the job moves among $ids; ids not stored are left out.
// params: $ids (list of job move ids)
// returns: id, fp
UNWIND $ids AS id
MATCH (m:JobMove {id: id})
RETURN id, m.fp AS fp
