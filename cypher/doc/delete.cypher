// Delete one service metadata document.
// params: $collection, $id
// returns: deleted (how many were deleted: 0 or 1)
OPTIONAL MATCH (d:Doc {collection: $collection, id: $id})
DELETE d
RETURN count(d) AS deleted
