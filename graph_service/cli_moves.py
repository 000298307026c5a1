"""``sgraph moves`` and ``sgraph webhooks dispatch``: plain functions the CLI registers.

Register in ``graph_service/cli.py``::

    from graph_service import cli_moves
    app.command("moves")(exits_cleanly(cli_moves.moves))
    webhooks_app = typer.Typer(help="Webhook deliveries.", no_args_is_help=True)
    webhooks_app.command("dispatch")(exits_cleanly(cli_moves.webhooks_dispatch))
    app.add_typer(webhooks_app, name="webhooks")
"""

from __future__ import annotations

import signal
import threading
from datetime import datetime
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from graph_service.errors import StoreUnavailable
from graph_service.settings import get_settings
from graph_service.store import open_store

out = Console()
err = Console(stderr=True)


def moves(
    since: Annotated[datetime | None, typer.Option(formats=["%Y-%m-%d"], help="moves dated on or after this day")] = None,
    until: Annotated[datetime | None, typer.Option(formats=["%Y-%m-%d"], help="moves dated on or before this day")] = None,
    company: Annotated[str | None, typer.Option(help="only moves into or out of this company (id)")] = None,
    layer: Annotated[str | None, typer.Option(help="decision_maker, executor, user_influencer or unknown")] = None,
    connected: Annotated[bool, typer.Option("--connected", help="only movers someone on our team knows")] = False,
    limit: Annotated[int, typer.Option(min=1, max=1000, help="how many to show")] = 20,
    direction: Annotated[str, typer.Option(help="with --company: in (joined), out (left) or any")] = "any",
) -> None:
    """The moves feed, most relevant first (e.g. ``sgraph moves --since 2024-01-01 --connected``)."""
    from graph_service.feed import list_feed

    page = list_feed(store=open_store(get_settings()), since=since.date() if since else None,
                     until=until.date() if until else None, company_id=company, direction=direction,  # type: ignore[arg-type]
                     layer=layer, connected=connected, limit=limit)
    table = Table(title=f"{page.total} moves")
    for name in ("score", "on"):
        table.add_column(name, no_wrap=True)
    for name in ("person", "from", "to", "layer", "our tie"):
        table.add_column(name)
    for item in page.items:
        move = item.move
        tie = f"{item.our_strength:.2f} via {item.via}" if item.connected else ""
        table.add_row(f"{item.relevance.score:.3f}", str(move.on or ""), item.person_name,
                      f"{item.from_company.name} ({move.from_title})", f"{item.to_company.name} ({move.to_title})",
                      f"{move.from_layer} -> {move.to_layer}", tie)
    out.print(table)


def webhooks_dispatch(
    once: Annotated[bool, typer.Option("--once", help="one pass, then exit")] = False,
) -> None:
    """Deliver webhooks: follow the change feed and send what is due until interrupted (Ctrl-C)."""
    from graph_service.webhooks import DispatchConfig, Dispatcher

    settings = get_settings()
    config = DispatchConfig.from_settings(settings)
    dispatcher = Dispatcher(open_store(settings), config)
    if once:
        summary = dispatcher.run_once()
        dispatcher.close()
        out.print(f"enqueued {summary.enqueued}, delivered {summary.delivered}, failed {summary.failed}, "
                  f"paused {len(summary.paused)}")
        return
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: (stop.set(), dispatcher.stopping.set()))
    err.print(f"dispatching webhooks every {config.poll_seconds:g} s; Ctrl-C stops")
    try:
        while not stop.is_set():
            try:
                summary = dispatcher.run_once()
            except StoreUnavailable as error:
                err.print(f"store unavailable, retrying: {error}", highlight=False, markup=False)
                stop.wait(config.poll_seconds)
                continue
            if summary.enqueued or summary.delivered or summary.failed:
                err.print(f"enqueued {summary.enqueued}, delivered {summary.delivered}, failed {summary.failed}"
                          + (f", paused {', '.join(summary.paused)}" if summary.paused else ""))
            stop.wait(config.poll_seconds)
    finally:
        dispatcher.close()
