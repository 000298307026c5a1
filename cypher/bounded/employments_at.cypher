// The employments (current or past, or only those without an end) at some companies: all of them, or those in
// given departments.
// The dates $first and $last (ISO or null) keep those started by $last (or without a start) and not ended before
// $first.
// params: $groups (list of {company_id, departments: list of department names, or null for all}), $open_only, $first, $last
//         ($groups: one entry per company; $open_only true: only employments without an end)
// returns: docs (list of JSON texts)
UNWIND $groups AS g
MATCH (:Company {id: g.company_id})<-[e:WORKS_AT]-(:Person)
WHERE (g.departments IS NULL OR e.department IN g.departments) AND (NOT $open_only OR e.end IS NULL)
  AND ($last IS NULL OR e.start IS NULL OR e.start <= $last) AND ($first IS NULL OR e.end IS NULL OR e.end >= $first)
RETURN collect(e.doc) AS docs
