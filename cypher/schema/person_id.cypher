// Every person has one node, found by id with an index seek.
// params: none
// returns: -
CREATE CONSTRAINT person_id IF NOT EXISTS FOR (p:Person) REQUIRE p.id IS UNIQUE
