"""``sgraph connect``: import LinkedIn, vCard, iCalendar, mbox and CRM exports; review and undo merges.

Registered on the main app with ``app.add_typer(connect_app, name="connect")``
(after the helpers of :mod:`graph_service.cli` are defined, which this module uses).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Column, Table

from graph_service.console import err, exits_cleanly, out, progress_bar, store
from graph_service.connectors import merges as merge_docs
from graph_service.connectors.service import Options, connect
from graph_service.connectors.sync import ENTITIES, ConnectSummary

connect_app = typer.Typer(help="Bring in the data salespeople already have: LinkedIn, vCard, iCalendar, mbox, CRM.",
                          no_args_is_help=True)
merges_app = typer.Typer(help="Merges of the same person from several sources: list, show, undo.", no_args_is_help=True)
review_app = typer.Typer(help="Ambiguous matches waiting for a person to decide.", no_args_is_help=True)
connect_app.add_typer(merges_app, name="merges")
connect_app.add_typer(review_app, name="review")

FileArg = Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="the exported file")]
OwnerOpt = Annotated[str | None, typer.Option("--as", help="person id of the team member who exported the file")]
AsOfOpt = Annotated[datetime | None, typer.Option("--as-of", formats=["%Y-%m-%d"],
                                                  help="date of the export (default: today)")]
DryRunOpt = Annotated[bool, typer.Option("--dry-run", help="show what would change; write nothing")]
SHOWN = 20


def _run(kind: str, file: Path, options: Options, dry_run: bool) -> None:
    with progress_bar(f"{kind} {file.name}") as bar:
        task = bar.add_task("records", total=None)
        summary = connect(store=store(), kind=kind, path=file, options=options, dry_run=dry_run,
                          progress=lambda n: bar.advance(task, n))
    print_summary(summary)


def print_summary(summary: ConnectSummary) -> None:
    """The counts, merges, review items, job moves and skipped rows of a run."""
    verb = "would change" if summary.dry_run else "changed"
    table = Table("kind", "created", "updated", "unchanged", title=f"{summary.kind} {summary.file}: {verb}")
    for entity in ENTITIES:
        counts = (summary.created.get(entity, 0), summary.updated.get(entity, 0), summary.unchanged.get(entity, 0))
        if any(counts):
            table.add_row(entity, *map(str, counts))
    out.print(table)
    out.print(f"{summary.merged} merged, {summary.review} for review, {summary.moves} job moves, "
              f"{summary.total_skipped} skipped", highlight=False)
    _listing("merged", [f"{m['merged']} -> {m['into']} ({m['rule']} {m['score']:g}: {m['evidence']})"
                        for m in summary.merges])
    _listing("for review", [f"{r['candidate']} {r['name']!r}: {r['reason']} ({', '.join(r['options'])})"
                            for r in summary.reviews])
    _listing("job moves", [f"{m['person_id']}: {m['from']} -> {m['to']} on {m['on']} ({m['type']})"
                           for m in summary.job_moves])
    for reason, count in sorted(summary.skipped.items(), key=lambda item: -item[1]):
        lines = [str(s.line) for s in summary.skipped_rows if s.reason == reason and s.line is not None][:10]
        where = f" (lines {', '.join(lines)}{' ...' if count > len(lines) and lines else ''})" if lines else ""
        out.print(f"  skipped {count}: {reason}{where}", highlight=False, markup=False)


def _listing(title: str, lines: list[str]) -> None:
    if not lines:
        return
    out.print(f"{title}:", highlight=False)
    for line in lines[:SHOWN]:
        out.print(f"  {line}", highlight=False, markup=False)
    if len(lines) > SHOWN:
        out.print(f"  ... and {len(lines) - SHOWN} more", highlight=False)


@connect_app.command("linkedin")
@exits_cleanly
def linkedin(file: FileArg, as_: Annotated[str, typer.Option("--as", help="person id of the exporting team member")],
             as_of: AsOfOpt = None, dry_run: DryRunOpt = False) -> None:
    """A LinkedIn Connections.csv: persons, current positions, ties to the exporting team member."""
    _run("linkedin", file, Options(owner=as_, as_of=as_of.date() if as_of else None), dry_run)


@connect_app.command("vcard")
@exits_cleanly
def vcard(file: FileArg, as_: OwnerOpt = None, as_of: AsOfOpt = None, dry_run: DryRunOpt = False) -> None:
    """A vCard address book (.vcf): persons, companies, titles, emails (and ties to its owner, with --as)."""
    _run("vcard", file, Options(owner=as_, as_of=as_of.date() if as_of else None), dry_run)


@connect_app.command("ics")
@exits_cleanly
def ics(file: FileArg, as_: OwnerOpt = None, dry_run: DryRunOpt = False,
        default_tz: Annotated[str, typer.Option(help="zone of floating times without X-WR-TIMEZONE")] = "UTC") -> None:
    """An iCalendar file: past meetings as interactions between their attendees; cancelled ones left out."""
    _run("ics", file, Options(owner=as_, default_tz=default_tz), dry_run)


@connect_app.command("mbox")
@exits_cleanly
def mbox(file: FileArg, as_: OwnerOpt = None, dry_run: DryRunOpt = False) -> None:
    """A mailbox (mbox), headers only: emails as interactions; mailing lists and no-reply senders left out."""
    _run("mbox", file, Options(owner=as_), dry_run)


@connect_app.command("crm")
@exits_cleanly
def crm(file: FileArg,
        mapping: Annotated[Path, typer.Option(exists=True, dir_okay=False, help="column mapping file (.toml or .json)")],
        table: Annotated[str | None, typer.Option(help="accounts, contacts or opportunities (default: from the columns)")] = None,
        as_: OwnerOpt = None, as_of: AsOfOpt = None, dry_run: DryRunOpt = False) -> None:
    """A CRM export (CSV) of accounts, contacts or opportunities, read through a column mapping file."""
    _run("crm", file, Options(owner=as_, as_of=as_of.date() if as_of else None, mapping=mapping, table=table), dry_run)


def _merge_row(doc: dict[str, Any]) -> list[str]:
    sources = ", ".join(sorted({str(s.get("kind", "")) for s in doc["sources"]}))
    return [doc["id"], doc["status"], doc["merged"], doc["survivor"], f"{doc['rule']} {doc['score']:g}",
            doc["evidence"], sources, str(doc.get("records", 0))]


@merges_app.command("list")
@exits_cleanly
def merges_list(status: Annotated[str | None, typer.Option(help="active or undone")] = None,
                limit: Annotated[int, typer.Option(min=1)] = 100) -> None:
    """Merges, with who went into whom, by which rule, from which sources."""
    table = Table(Column("id", no_wrap=True), "status", "merged", "into", "rule", "evidence", "sources", "records")
    for doc in merge_docs.list_merges(store=store(), status=status, limit=limit):
        table.add_row(*_merge_row(doc))
    out.print(table)


@merges_app.command("show")
@exits_cleanly
def merges_show(id: str) -> None:
    """One merge: the merged person as it was, what the survivor gained, the records it re-pointed."""
    doc = merge_docs.get_merge(store=store(), id=id)
    out.print_json(data=doc)


@merges_app.command("undo")
@exits_cleanly
def merges_undo(id: str) -> None:
    """Undo a merge: the merged person comes back with their records, and the two are never merged again."""
    doc = merge_docs.undo(store=store(), id=id)
    out.print(f"undone {doc['id']}: {doc['merged']} is again apart from {doc['survivor']}", highlight=False)


@review_app.command("list")
@exits_cleanly
def review_list(status: Annotated[str, typer.Option(help="open, merged, dismissed or all")] = "open",
                limit: Annotated[int, typer.Option(min=1)] = 100) -> None:
    """Ambiguous matches: a person from an import and the known persons they may be."""
    table = Table(Column("id", no_wrap=True), "candidate", "reason", "options")
    for doc in merge_docs.list_reviews(store=store(), status=None if status == "all" else status, limit=limit):
        candidate = f"{doc['candidate']['id']} {doc['candidate']['name']}"
        options = "\n".join(f"{o['person_id']} ({o['rule']} {o['score']:g}: {o['evidence']})" for o in doc["options"])
        table.add_row(doc["id"], candidate, doc["reason"], options)
    out.print(table)


@review_app.command("merge")
@exits_cleanly
def review_merge(id: str, into: Annotated[str, typer.Option(help="the person id the candidate is")]) -> None:
    """Decide a review item: the candidate is this person; their records move over (undoable)."""
    doc = merge_docs.merge_review(store=store(), id=id, into=into)
    out.print(f"merged {doc['merged']} into {doc['survivor']} as {doc['id']} ({doc['records']} records)", highlight=False)


@review_app.command("dismiss")
@exits_cleanly
def review_dismiss(id: str) -> None:
    """Decide a review item: the candidate is none of the options; they are never matched again."""
    merge_docs.dismiss_review(store=store(), id=id)
    err.print(f"dismissed {id}")
