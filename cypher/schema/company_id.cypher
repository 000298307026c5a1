// Every company has one node, found by id with an index seek.
// params: none
// returns: -
CREATE CONSTRAINT company_id IF NOT EXISTS FOR (c:Company) REQUIRE c.id IS UNIQUE
