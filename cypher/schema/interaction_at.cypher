// Interactions by time, for recency questions.
// params: none
// returns: -
CREATE INDEX interaction_at IF NOT EXISTS FOR (i:Interaction) ON (i.at)
