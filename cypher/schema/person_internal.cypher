// Our team (internal persons): the starting points of warm paths.
// params: none
// returns: -
CREATE INDEX person_internal IF NOT EXISTS FOR (p:Person) ON (p.internal)
