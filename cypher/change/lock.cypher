// Take the change feed's write lock: every store write takes it first and holds it until commit,
// so writers are serialised (like SQLite's BEGIN IMMEDIATE), fingerprints read after it are
// current, and seq grows in commit order.
// params: none
// returns: -
MERGE (c:Counter {name: 'changes'})
SET c.locked = true
