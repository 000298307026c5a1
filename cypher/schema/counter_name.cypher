// One counter node per name, so that concurrent MERGEs of it cannot duplicate it.
// params: none
// returns: -
CREATE CONSTRAINT counter_name IF NOT EXISTS FOR (c:Counter) REQUIRE c.name IS UNIQUE
