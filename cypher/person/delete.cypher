// Delete persons with all their relationships; their ties and employments go with them.
// params: $ids (list of person ids, without duplicates)
// returns: ids (the ids that were stored), ties (ids of the ties deleted with them), employments (ids of the employments deleted with them)
UNWIND $ids AS id
MATCH (p:Person {id: id})
WITH collect(id) AS ids, collect(p) AS persons
WITH ids, persons,
     COLLECT { UNWIND persons AS p MATCH (p)-[t:TIE]-() RETURN DISTINCT t.id } AS ties,
     COLLECT { UNWIND persons AS p MATCH (p)-[e:WORKS_AT]->() RETURN e.id } AS employments
FOREACH (p IN persons | DETACH DELETE p)
RETURN ids, ties, employments
