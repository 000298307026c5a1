// Wait until every index and constraint created by init_schema is online.
// params: $seconds (timeout)
// returns: -
CALL db.awaitIndexes($seconds)
