// Delete companies with all their relationships; the employments there go with them.
// params: $ids (list of company ids, without duplicates)
// returns: ids (the ids that were stored), ties (always empty), employments (ids of the employments deleted with them)
UNWIND $ids AS id
MATCH (c:Company {id: id})
WITH collect(id) AS ids, collect(c) AS companies
WITH ids, companies, COLLECT { UNWIND companies AS c MATCH (c)<-[e:WORKS_AT]-() RETURN e.id } AS employments
FOREACH (c IN companies | DETACH DELETE c)
RETURN ids, [] AS ties, employments
