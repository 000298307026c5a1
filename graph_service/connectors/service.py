"""One entry point for the CLI and the API: read a file of a kind, then dry-run or write it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path

from graph_service.connectors import KINDS, crm, ics, linkedin, mbox, sync, vcard
from graph_service.connectors.base import Plan
from graph_service.errors import InvalidInput, Problem
from graph_service.store.base import Store


@dataclass(frozen=True)
class Options:
    """What a connector needs besides the file; ``owner`` is the team member who exported it."""

    owner: str | None = None
    as_of: date | None = None
    mapping: Path | None = None
    table: str | None = None
    default_tz: str = "UTC"
    file_name: str | None = None


def plan_file(*, kind: str, path: Path, options: Options) -> Plan:
    """Read ``path`` with the connector ``kind`` into a plan (nothing is resolved or written)."""
    as_of = options.as_of or datetime.now(timezone.utc).date()
    name = options.file_name
    if kind == "linkedin":
        if not options.owner:
            raise InvalidInput(Problem("as", "a LinkedIn export belongs to a team member: give their person id"))
        return linkedin.read(path, owner=options.owner, as_of=as_of, file_name=name)
    if kind == "vcard":
        return vcard.read(path, owner=options.owner, as_of=as_of, file_name=name)
    if kind == "ics":
        return ics.read(path, owner=options.owner, as_of=as_of, default_tz=options.default_tz, file_name=name)
    if kind == "mbox":
        return mbox.read(path, owner=options.owner, as_of=as_of, file_name=name)
    if kind == "crm":
        if options.mapping is None:
            raise InvalidInput(Problem("mapping", "a CRM export needs a column mapping file"))
        return crm.read(path, mapping=crm.load_mapping(options.mapping), table=options.table, owner=options.owner,
                        as_of=as_of, file_name=name)
    raise InvalidInput(Problem("kind", f"must be one of {', '.join(KINDS)}"))


def connect(*, store: Store, kind: str, path: Path, options: Options = Options(), dry_run: bool = False,
            progress: sync.Progress | None = None) -> sync.ConnectSummary:
    """Import one file: resolve its people against the store, then write it (or only count, with ``dry_run``)."""
    plan = plan_file(kind=kind, path=path, options=options)
    return sync.run(store=store, plan=plan, dry_run=dry_run, progress=progress)
