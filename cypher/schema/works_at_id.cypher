// Every employment is one WORKS_AT relationship, found by id with an index seek.
// params: none
// returns: -
CREATE CONSTRAINT works_at_id IF NOT EXISTS FOR ()-[e:WORKS_AT]-() REQUIRE e.id IS UNIQUE
