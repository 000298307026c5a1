// How many ties are stored.
// params: none
// returns: n
MATCH ()-[t:TIE]->()
RETURN count(t) AS n
