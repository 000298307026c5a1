// Delete persons with all their relationships; ties and employments go with them.
// params: $ids (list of person ids, without duplicates)
// returns: id, ties (ids of the ties deleted with it), employments (ids of the employments deleted with it)
UNWIND $ids AS id
MATCH (p:Person {id: id})
WITH id, p, [(p)-[t:TIE]-() | t.id] AS ties, [(p)-[e:WORKS_AT]->() | e.id] AS employments
DETACH DELETE p
RETURN id, ties, employments
