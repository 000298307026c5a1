"""Connectors: bring in the data salespeople already have.

Each connector is a small module that reads one kind of file into a
:class:`~graph_service.connectors.base.Plan` (people as the file describes them,
companies, observed current positions, ties, interactions, and the rows it
skipped with reasons). :mod:`~graph_service.connectors.sync` resolves the plan
against the store (entity resolution in :mod:`~graph_service.connectors.resolve`)
into the exact records to write; a dry run shows them, an apply writes them
through :func:`graph_service.records.write_batch`. Merges are kept as documents
so they can be reviewed and undone (:mod:`~graph_service.connectors.merges`).

    linkedin  LinkedIn "Connections.csv"       persons, current positions, ties to the exporter
    vcard     vCard address books (.vcf)       persons, companies, titles, emails
    ics       iCalendar files (.ics)           meetings as interactions
    mbox      mailboxes (headers only)         emails as interactions
    crm       CRM CSV exports + column mapping contacts, accounts, opportunities
"""

from __future__ import annotations

KINDS: tuple[str, ...] = ("linkedin", "vcard", "ics", "mbox", "crm")
"""The connector kinds, as named in the CLI and the API."""
