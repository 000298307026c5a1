// Every referral has one node, found by id with an index seek.
// params: none
// returns: -
CREATE CONSTRAINT referral_id IF NOT EXISTS FOR (r:Referral) REQUIRE r.id IS UNIQUE
