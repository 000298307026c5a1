// The employments (current or past) at some companies: all of them, or those in given departments.
// params: $groups (list of {company_id, departments: list of department names, or null for all};
//         one entry per company)
// returns: docs (list of JSON texts)
UNWIND $groups AS g
MATCH (:Company {id: g.company_id})<-[e:WORKS_AT]-(:Person)
WHERE g.departments IS NULL OR e.department IN g.departments
RETURN collect(e.doc) AS docs
