// Create or replace one service metadata document.
// params: $collection, $id, $doc (JSON text)
// returns: -
MERGE (d:Doc {collection: $collection, id: $id})
SET d.doc = $doc
