"""The ``sgraph`` command line. Errors print one clear line and exit non-zero."""

from __future__ import annotations

import ipaddress
import os
import socket
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from graph_service import cli_accounts, cli_intro, cli_moves, cli_views
from graph_service.cli_connect import connect_app
from graph_service.console import err, exits_cleanly, out, progress_bar, store
from graph_service.errors import Forbidden
from graph_service.keys import Scope
from graph_service.model import DatePrecision
from graph_service.settings import get_settings

app = typer.Typer(help="Stakeholder Graph: people, companies and ties for key-account selling.", no_args_is_help=True)
keys_app = typer.Typer(help="Manage API keys.", no_args_is_help=True)
app.add_typer(keys_app, name="keys")
@app.command("import")
@exits_cleanly
def import_(
    kind: Annotated[str, typer.Argument(help="person, company, employment, tie, interaction or referral")],
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False)],
    format: Annotated[str | None, typer.Option(help="csv or jsonl (default: from the file name)")] = None,
    create_placeholders: Annotated[bool, typer.Option(help="create unknown referenced persons/companies")] = False,
    dry_run: Annotated[bool, typer.Option(help="validate only; write nothing")] = False,
) -> None:
    """Import a CSV or JSON Lines file; a file with any invalid row writes nothing."""
    from graph_service.importing.bulk import import_file

    with progress_bar(f"{kind} {file.name}") as bar:
        task = bar.add_task("rows", total=None)
        summary = import_file(store=store(), entity=kind, path=file, fmt=format, create_placeholders=create_placeholders,
                              batch_size=get_settings().import_batch_size, dry_run=dry_run,
                              progress=lambda n: bar.advance(task, n))
    verb = "would import" if dry_run else "imported"
    out.print(f"{verb} {summary.rows} {kind} rows: {summary.created} created, {summary.updated} updated, "
              f"{summary.unchanged} unchanged")


@app.command()
@exits_cleanly
def snapshot(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False)],
    as_of: Annotated[datetime, typer.Option("--as-of", formats=["%Y-%m-%d"], help="date the snapshot describes")],
    precision: DatePrecision = DatePrecision.day,
    format: Annotated[str | None, typer.Option(help="csv or jsonl")] = None,
) -> None:
    """Apply an employment snapshot: who works where as of a date."""
    from graph_service.importing.snapshot import apply_snapshot

    summary = apply_snapshot(store=store(), path=file, as_of=as_of.date(), precision=precision, fmt=format)
    out.print(f"{summary.rows} rows: {summary.opened} opened, {summary.closed} closed, "
              f"{summary.role_changes} role changes, {summary.moves} job moves, "
              f"{len(summary.stale_persons)} persons skipped (newer knowledge)")


@app.command()
@exits_cleanly
def demo(
    data: Annotated[Path | None, typer.Option(help="folder with the Enron employees.csv and emails.csv")] = None,
    team: Annotated[list[str] | None, typer.Option(help="person ids on our team (default: three Enron managers)")] = None,
) -> None:
    """Load the Enron demo (184 employees, their titles and 125k emails) into the configured store."""
    from graph_service.demo import DEMO_TEAM, enron_records
    from graph_service.importing.bulk import import_records

    folder = data or Path(get_settings().demo_data)
    the_store = store()
    for entity, stream in enron_records(folder, team=team or DEMO_TEAM).items():
        with progress_bar(entity) as bar:
            task = bar.add_task(entity, total=None)
            summary = import_records(store=the_store, entity=entity, records_in=stream, source="demo",
                                     progress=lambda n: bar.advance(task, n))
        out.print(f"{entity}: {summary.rows} rows ({summary.created} created, {summary.updated} updated)")


@app.command()
@exits_cleanly
def stats() -> None:
    """Count what the store holds."""
    the_store = store()
    table = Table("kind", "count")
    for entity in ("person", "company", "employment", "tie", "interaction", "referral", "move"):
        table.add_row(entity, str(the_store.read(lambda tx: tx.count(entity))))
    out.print(table)


@app.command()
@exits_cleanly
def serve(
    host: Annotated[str | None, typer.Option(help="interface (default: SGRAPH_HOST)")] = None,
    port: Annotated[int | None, typer.Option(help="port (default: SGRAPH_PORT)")] = None,
    workers: Annotated[int, typer.Option(min=1, help="worker processes")] = 1,
) -> None:
    """Serve the HTTP API (OpenAPI docs at /docs)."""
    import uvicorn

    from graph_service import keys

    settings = get_settings()
    host = host or settings.host
    the_store = store()  # fail early, with one line, if the store is unusable
    if not ipaddress.ip_address(socket.gethostbyname(host)).is_loopback and not keys.list_keys(store=the_store):
        raise Forbidden(f"refusing to serve on {host} with no API keys; create one with `sgraph keys create`")
    the_store.close()
    os.environ.setdefault("MALLOC_ARENA_MAX", "2")  # read by each worker process as it starts (see README)
    uvicorn.run("api.app:create_app", factory=True, host=host, port=port or settings.port,
                workers=workers)


@app.command("export")
@exits_cleanly
def export_(file: Annotated[Path, typer.Argument(dir_okay=False, help="backup file to write (JSON Lines)")]) -> None:
    """Back up the whole graph (format sgraph-backup v1)."""
    from graph_service.backup import export_graph

    with open(file, "w", encoding="utf-8") as handle:
        counts = export_graph(store=store(), out=handle)
    out.print(", ".join(f"{n} {kind}" for kind, n in counts.items()))


@app.command()
@exits_cleanly
def restore(file: Annotated[Path, typer.Argument(exists=True, dir_okay=False)]) -> None:
    """Restore a backup made by `sgraph export` into the configured store."""
    from graph_service.backup import restore_graph

    counts = restore_graph(store=store(), path=file, batch_size=get_settings().import_batch_size)
    out.print(", ".join(f"{n} {kind}" for kind, n in counts.items()))


@keys_app.command("create")
@exits_cleanly
def keys_create(
    user: Annotated[str, typer.Option(help="who the key belongs to")],
    scope: Annotated[Scope, typer.Option(help="read, write or admin")] = Scope.read,
    person: Annotated[str | None, typer.Option(help="the team member (person id) this user is")] = None,
) -> None:
    """Create an API key; the key is printed once and never stored."""
    from graph_service import keys

    key, token = keys.create(store=store(), user=user, scope=scope, person_id=person)
    err.print(f"key {key.id} for {key.user} ({key.scope}); store it now, it cannot be shown again:")
    out.print(token, highlight=False)


@keys_app.command("list")
@exits_cleanly
def keys_list() -> None:
    """List API keys (never their secrets)."""
    from graph_service import keys

    table = Table("id", "user", "scope", "person", "created", "revoked")
    for key in keys.list_keys(store=store()):
        table.add_row(key.id, key.user, key.scope, key.person_id or "", key.created_at.isoformat(timespec="seconds"),
                      key.revoked_at.isoformat(timespec="seconds") if key.revoked_at else "")
    out.print(table)


@keys_app.command("revoke")
@exits_cleanly
def keys_revoke(key_id: str) -> None:
    """Revoke an API key at once."""
    from graph_service import keys

    key = keys.revoke(store=store(), key_id=key_id)
    out.print(f"revoked {key.id} ({key.user})")

webhooks_app = typer.Typer(help="Deliver job-move events to webhook subscribers.", no_args_is_help=True)
webhooks_app.command("dispatch")(exits_cleanly(cli_moves.webhooks_dispatch))
app.add_typer(webhooks_app, name="webhooks")
app.add_typer(connect_app, name="connect")
app.command("view")(exits_cleanly(cli_views.view))
app.command("intro")(exits_cleanly(cli_intro.intro))
app.command("moves")(exits_cleanly(cli_moves.moves))
app.command("account")(exits_cleanly(cli_accounts.account))
app.command("influencers")(exits_cleanly(cli_accounts.influencers))
