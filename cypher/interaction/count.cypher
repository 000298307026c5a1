// How many interactions are stored.
// params: none
// returns: n
MATCH (i:Interaction)
RETURN count(i) AS n
