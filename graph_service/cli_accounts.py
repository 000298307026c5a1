"""``sgraph account`` and ``sgraph influencers``: plain functions the CLI registers.

Register in ``graph_service/cli.py``::

    from graph_service import cli_accounts
    app.command("account")(exits_cleanly(cli_accounts.account))
    app.command("influencers")(exits_cleanly(cli_accounts.influencers))
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from graph_service.settings import get_settings
from graph_service.store import open_store

out = Console()

LAYER_TITLES = {
    "decision_maker": "Decision-makers (拍板层)",
    "executor": "Executors (采购执行层)",
    "user_influencer": "Users and influencers (使用影响层)",
    "unknown": "Layer unknown",
}


def account(
    company: Annotated[str, typer.Argument(help="company id")],
    as_of: Annotated[datetime | None,
                     typer.Option(formats=["%Y-%m-%d"], help="the account's people on this day")] = None,
    team: Annotated[str | None,
                    typer.Option(help="comma-separated person ids (default: persons marked internal)")] = None,
    limit: Annotated[int, typer.Option(min=1, help="people shown per layer")] = 10,
    next_steps: Annotated[int, typer.Option(min=0, max=50, help="warm paths to uncovered decision-makers")] = 5,
) -> None:
    """The account map: people by decision layer, influence, our coverage, gaps and next steps."""
    from graph_service.access import OPERATOR
    from graph_service.accounts import get_account_map
    from graph_service.bounded import query_projection

    settings = get_settings()
    store = open_store(settings)
    members = [part.strip() for part in team.split(",") if part.strip()] if team is not None else None
    found = get_account_map(store=store, projection=query_projection(store, settings), company_id=company,
                            as_of=as_of.date() if as_of else None, team=members, next_steps=next_steps,
                            viewer=OPERATOR)
    out.print(f"[bold]{found.company.name}[/] ({found.company.id}, {found.company.status}) on {found.as_of}: "
              f"{found.people} people; our team: {', '.join(found.team) or 'nobody'}")
    for view in found.layers:
        if not view.people:
            continue
        covered = f"covered ({view.covered_people})" if view.covered else "[red]not covered[/]"
        table = Table("person", "title", "seniority", "influence", "our tie", "hops",
                      title=f"{LAYER_TITLES[view.layer]}: {len(view.people)}, {covered}", title_justify="left")
        for p in view.people[:limit]:
            inferred = " (inferred)" if p.layer_inferred else ""
            tie = f"{p.coverage.strength:.2f} via {p.coverage.via}" if p.coverage.via else ""
            table.add_row(p.name, f"{p.title or '(no title)'}{inferred}", str(p.seniority), f"{p.influence:.2f}", tie,
                          str(p.coverage.hops or ""))
        if len(view.people) > limit:
            table.caption = f"... and {len(view.people) - limit} more"
        out.print(table)
    for gap in found.gaps:
        out.print(f"[yellow]gap:[/] {gap}", highlight=False)
    if found.next_steps:
        table = Table("to", "influence", "warm path", "score", title="Next steps", title_justify="left")
        for step in found.next_steps:
            path = " -> ".join(f"{hop.name}" + (f" ({hop.strength:.2f})" if hop.strength is not None else "")
                               for hop in step.path)
            table.add_row(step.name, f"{step.influence:.2f}", path, "private" if step.score is None else f"{step.score:.3f}")
        out.print(table)


def influencers(
    toward: Annotated[str | None, typer.Option(help="a company id: who best sways its decision-makers")] = None,
    by: Annotated[str, typer.Option(help="pagerank, brokers or figures")] = "pagerank",
    limit: Annotated[int, typer.Option(min=1, max=1000, help="how many to show")] = 20,
) -> None:
    """The most influential people, or those best placed to sway the people who sign at a company."""
    from graph_service.accounts import list_influencers
    from graph_service.errors import InvalidInput, Problem
    from graph_service.projection import Projection

    if by not in ("pagerank", "brokers", "figures"):
        raise InvalidInput(Problem("by", "one of pagerank, brokers, figures"))
    store = open_store(get_settings())
    found = list_influencers(store=store, projection=Projection(store), toward=toward, by=by,  # type: ignore[arg-type]
                             limit=limit)
    title = f"Best placed to sway the decision-makers of {found.toward.name}" if found.toward else f"Top by {by}"
    columns = ["person", "works at", "score"] + (["companies", "decision-makers"] if by == "figures" else [])
    table = Table(*columns, title=title, title_justify="left")
    for p in found.people:
        works = ", ".join(e.name for e in p.employers) + (" (our team)" if p.internal else "")
        extra = [str(p.companies_reached), str(p.decision_makers_reached)] if by == "figures" else []
        table.add_row(p.name, works, f"{p.score:.4g}", *extra)
    out.print(table)
