"""``sgraph intro``: warm introduction paths as a table. A plain function the CLI registers.

Register in ``graph_service/cli.py``::

    from graph_service import cli_intro
    app.command("intro")(exits_cleanly(cli_intro.intro))

The command builds a projection of the configured store (a full scan: seconds for
the Enron demo, minutes at a million persons); a server keeps one warm instead.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.table import Table

from graph_service.access import OPERATOR
from graph_service.asof import PersonRef
from graph_service.errors import InvalidInput, problems_from_errors
from graph_service.intros import IntroRequest, IntroResult, find_intro_paths, find_person
from graph_service.model import DecisionLayer
from graph_service.bounded import BoundedProjection, query_projection
from graph_service.settings import get_settings
from graph_service.store import open_store
from graph_service.strength import DEFAULT_WEIGHTS, load_weights

out = Console()


def intro(
    to: Annotated[str | None, typer.Option("--to", help="the target person: id or exact name")] = None,
    company: Annotated[str | None, typer.Option(help="the target company (id): its current employees")] = None,
    layer: Annotated[list[DecisionLayer] | None, typer.Option(help="with --company: only this decision layer; repeat")] = None,
    from_team: Annotated[bool, typer.Option("--from-team", help="start from anyone on our team (the default)")] = False,
    from_: Annotated[list[str] | None, typer.Option("--from", help="start from this person (id or name); repeat")] = None,
    k: Annotated[int, typer.Option(help="how many paths")] = 3,
    max_hops: Annotated[int, typer.Option(help="longest path, in ties (at most 6)")] = 4,
    min_strength: Annotated[float, typer.Option(help="do not walk weaker ties")] = 0.0,
    avoid: Annotated[list[str] | None, typer.Option(help="pass through nobody of these (id or name); repeat")] = None,
    avoid_company: Annotated[list[str] | None, typer.Option(help="pass through no current employee of this company (id)")] = None,
    newer_than: Annotated[datetime | None, typer.Option(formats=["%Y-%m-%d"], help="only ties with evidence since this day")] = None,
    hop_penalty: Annotated[float, typer.Option(help="nats per hop")] = 0.1,
    diverse: Annotated[bool, typer.Option(help="no two paths share their first introducer")] = True,
    introducers: Annotated[int, typer.Option(help="also rank this many best introducers")] = 0,
    weights: Annotated[Path | None, typer.Option(exists=True, dir_okay=False, help="strength weights (JSON)")] = None,
) -> None:
    """Who can introduce us: ``sgraph intro --to "Jeffery Skilling" --from-team``."""
    if from_team and from_:
        raise InvalidInput([], "give --from-team or --from, not both")
    settings = get_settings()
    projection = query_projection(open_store(settings), settings,
                                  weights=load_weights(weights) if weights else DEFAULT_WEIGHTS)

    def person(text: str) -> str:
        if isinstance(projection, BoundedProjection):
            return text if projection.has_person(text) else projection.find_person(text)
        return text if text in projection.graph else find_person(projection=projection, name=text)

    try:
        request = IntroRequest(
            person_id=person(to) if to else None, company_id=company, layers=layer or [],
            sources=[person(p) for p in from_ or []], k=k, max_hops=max_hops, min_strength=min_strength,
            avoid_persons=[person(p) for p in avoid or []], avoid_companies=avoid_company or [],
            newer_than=newer_than.date() if newer_than else None, hop_penalty=hop_penalty, diverse=diverse,
            introducers=introducers,
        )
    except ValidationError as error:
        raise InvalidInput(problems_from_errors(list(error.errors()))) from None
    show(find_intro_paths(projection=projection, request=request, viewer=OPERATOR))


def _name(person: PersonRef | None, note: str | None) -> str:
    return person.name if person is not None else note or "private"


def show(result: IntroResult) -> None:
    """Print the paths, one section per path and one row per hop, then the introducers if asked."""
    if not result.paths:
        out.print(f"no path ({result.reason}): {result.detail}", highlight=False)
        return
    target = result.paths[0].target
    title = (f"Warm paths to {target.person.name}" if result.targets == 1
             else f"Warm paths to {result.targets} people at {target.company.name if target.company else '?'}")
    table = Table("#", "score", "from", "to", "strength", "why", title=f"{title}, from {result.sources} of us")
    for path in result.paths:
        for i, hop in enumerate(path.hops):
            first = i == 0
            to = _name(hop.target, hop.note)
            if hop.target is not None and hop.target.id == path.target.person.id and path.target.title:
                to += f" ({path.target.title})"
            score = f"{path.score:.4f}" if path.score is not None else "private"
            strength = f"{hop.strength:.3f}" if hop.strength is not None else "private"
            table.add_row(str(path.rank) if first else "", score if first else "", _name(hop.source, hop.note), to,
                          strength, "\n".join(hop.why))
        table.add_section()
    out.print(table)
    if result.introducers:
        ranked = Table("introducer", "via", "targets", "best score", title="Best introducers")
        for item in result.introducers:
            ranked.add_row(item.person.name, item.via.name, str(item.targets), f"{item.score:.4f}")
        out.print(ranked)
