// How many companies are stored.
// params: none
// returns: n
MATCH (c:Company)
RETURN count(c) AS n
