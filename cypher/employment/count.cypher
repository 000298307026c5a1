// How many employments are stored.
// params: none
// returns: n
MATCH ()-[e:WORKS_AT]->()
RETURN count(e) AS n
