// Persons and employments (current or past) at each of these companies; companies not stored are left out.
// params: $company_ids (list of company ids, without duplicates)
// returns: sizes (list of [id, persons, employments])
UNWIND $company_ids AS company_id
MATCH (c:Company {id: company_id})
OPTIONAL MATCH (c)<-[e:WORKS_AT]-(p:Person)
WITH company_id, count(DISTINCT p) AS persons, count(e) AS employments
RETURN collect([company_id, persons, employments]) AS sizes
