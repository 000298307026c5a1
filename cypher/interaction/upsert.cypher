// Create or replace interactions and their IN relationships (one per person and role:
// initiator, participant, cc); persons not stored get no relationship.
// params: $rows (list of {id, props, links: list of {person, role}}; props are all node properties: id, native fields, fp, doc)
// returns: -
UNWIND $rows AS row
MERGE (i:Interaction {id: row.id})
SET i = row.props
FOREACH (old IN [(i)<-[r:IN]-() | r] | DELETE old)
WITH i, row
UNWIND row.links AS link
MATCH (p:Person {id: link.person})
CREATE (p)-[:IN {role: link.role}]->(i)
