// How many job moves are stored.
// params: none
// returns: n
MATCH (m:JobMove)
RETURN count(m) AS n
