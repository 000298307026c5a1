// Service metadata documents, unique by collection and id.
// params: none
// returns: -
CREATE CONSTRAINT doc_key IF NOT EXISTS FOR (d:Doc) REQUIRE (d.collection, d.id) IS UNIQUE
