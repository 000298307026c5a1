// One service metadata document, if stored.
// params: $collection, $id
// returns: doc (JSON text)
MATCH (d:Doc {collection: $collection, id: $id})
RETURN d.doc AS doc
