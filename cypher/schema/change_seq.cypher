// The change feed is read in seq order from a cursor.
// params: none
// returns: -
CREATE CONSTRAINT change_seq IF NOT EXISTS FOR (c:Change) REQUIRE c.seq IS UNIQUE
