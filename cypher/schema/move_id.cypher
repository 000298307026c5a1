// Every job move has one node, found by id with an index seek.
// params: none
// returns: -
CREATE CONSTRAINT move_id IF NOT EXISTS FOR (m:JobMove) REQUIRE m.id IS UNIQUE
