// How many ties, interactions and referrals name each of these persons (relationship counts:
// read from the node's degree store, no traversal); persons not stored are left out.
// params: $person_ids (list of person ids, without duplicates)
// returns: degrees (list of [id, count])
UNWIND $person_ids AS person_id
MATCH (p:Person {id: person_id})
RETURN collect([person_id, COUNT { (p)-[:TIE]-() } + COUNT { (p)-[:IN]->() }
                           + COUNT { (p)-[:REFERRER|REFERRED|REFERRED_TO]->() }]) AS degrees
