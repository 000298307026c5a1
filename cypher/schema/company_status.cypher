// Companies by status (customer, prospect, ...).
// params: none
// returns: -
CREATE INDEX company_status IF NOT EXISTS FOR (c:Company) ON (c.status)
