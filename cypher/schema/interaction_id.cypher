// Every interaction has one node, found by id with an index seek.
// params: none
// returns: -
CREATE CONSTRAINT interaction_id IF NOT EXISTS FOR (i:Interaction) REQUIRE i.id IS UNIQUE
