// Delete companies with all their relationships; employments there go with them.
// params: $ids (list of company ids, without duplicates)
// returns: id, ties (always empty), employments (ids of the employments deleted with it)
UNWIND $ids AS id
MATCH (c:Company {id: id})
WITH id, c, [(c)<-[e:WORKS_AT]-() | e.id] AS employments
DETACH DELETE c
RETURN id, [] AS ties, employments
