// Every tie is one TIE relationship, found by id with an index seek.
// params: none
// returns: -
CREATE CONSTRAINT tie_id IF NOT EXISTS FOR ()-[t:TIE]-() REQUIRE t.id IS UNIQUE
