// Job moves by date, for "who moved recently".
// params: none
// returns: -
CREATE INDEX move_on IF NOT EXISTS FOR (m:JobMove) ON (m.`on`)
