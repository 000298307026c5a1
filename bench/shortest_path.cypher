// Neo4j's own unweighted shortest path from any of our team to one person, over team-visible ties,
// at most 4 hops (the benchmark peer of graph_service.paths).
// Parameters: $sources (list of person ids), $target (person id).
// Returns: hops (int): the fewest ties on a path from any source to the target (null: none).
MATCH (t:Person {id: $target})
MATCH (s:Person) WHERE s.id IN $sources AND s <> t
MATCH p = shortestPath((s)-[:TIE*..4]-(t))
WHERE all(r IN relationships(p) WHERE r.visibility = 'team')
RETURN min(length(p)) AS hops
