// How many persons are stored.
// params: none
// returns: n
MATCH (p:Person)
RETURN count(p) AS n
