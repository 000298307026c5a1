"""``sgraph view``: a graph view written to one offline HTML file (or exported), built from the configured store.

Register in ``graph_service/cli.py``::

    from graph_service import cli_views
    app.command("view")(exits_cleanly(cli_views.view))

The page is the same as ``GET /views/...`` serves (the same builders, in
:mod:`api.views_glue`), with its scripts and style inline so the file opens from
disk with no server; its PNG button saves the drawing. ``visualize`` and ``api``
are imported inside the command only: the library modules of ``graph_service``
never import them.
"""

from __future__ import annotations

import webbrowser
from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.console import Console

from graph_service.errors import InvalidInput, Problem
from graph_service.settings import get_settings
from graph_service.store import open_store

err = Console(stderr=True)

Kind = Literal["paths", "network", "account", "talent-flow"]
Format = Literal["html", "json", "gexf", "graphml"]


def view(
    kind: Annotated[Kind, typer.Argument(help="paths, network, account or talent-flow")],
    target: Annotated[str | None, typer.Argument(
        help="paths: a person id (or a company id with --company); network: a person id; account: a company id; "
             "talent-flow: a company id (optional)")] = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", dir_okay=False,
                                             help="file to write (default: <view>-<target>.<format> here)")] = None,
    open_browser: Annotated[bool, typer.Option("--open", help="open the page in the web browser")] = False,
    format: Annotated[Format, typer.Option(help="html (offline page), json, gexf or graphml")] = "html",
    company: Annotated[bool, typer.Option("--company", help="paths: the target is a company id")] = False,
    layers: Annotated[str | None, typer.Option(help="paths to a company: comma-separated decision layers")] = None,
    sources: Annotated[str | None, typer.Option(help="paths: comma-separated person ids (default: our team)")] = None,
    k: Annotated[int, typer.Option(min=1, max=20, help="paths: how many")] = 3,
    max_hops: Annotated[int, typer.Option(min=1, max=6, help="paths: longest path, in ties")] = 4,
    depth: Annotated[int, typer.Option(min=1, max=2, help="network: 1 or 2")] = 1,
    cap: Annotated[int, typer.Option(min=1, max=200, help="network: most ties drawn per person")] = 30,
    as_of: Annotated[str | None, typer.Option(help="account: the people on this day (YYYY-MM-DD)")] = None,
    since: Annotated[str | None, typer.Option(help="talent-flow: moves on or after (YYYY-MM-DD)")] = None,
    until: Annotated[str | None, typer.Option(help="talent-flow: moves on or before (YYYY-MM-DD)")] = None,
) -> None:
    """Draw a view (warm paths, a person's network, an account map, talent flow) into a file."""
    from api import views_glue
    from graph_service.access import OPERATOR
    from graph_service.projection import Projection
    from visualize import export, render

    if kind != "talent-flow" and not target:
        raise InvalidInput(Problem("target", f"the {kind} view needs one"))
    values: dict[str, object]
    if kind == "paths":
        values = {"company_id" if company else "person_id": target, "layers": layers, "sources": sources, "k": k,
                  "max_hops": max_hops}
    elif kind == "network":
        values = {"person_id": target, "depth": depth, "cap": cap}
    elif kind == "account":
        values = {"company_id": target, "as_of": as_of}
    else:
        values = {"company_id": target, "since": since, "until": until}
    params = views_glue.parse_params(kind.replace("-", "_"), {name: value for name, value in values.items() if value is not None})

    store = open_store(get_settings())
    try:
        projection = None if kind == "talent-flow" else Projection(store)
        built = views_glue.build_view(params, store=store, viewer=OPERATOR, projection=projection)
    finally:
        store.close()
    if format == "html":
        body = render.render_html(built.graph, inline_assets=True)
    else:
        body, _ = export.export(built.graph, format)
    path = out or Path(f"{built.filename}.{format}")
    path.write_text(body, encoding="utf-8")
    err.print(f"{built.graph.graph.get('title')}: {built.graph.number_of_nodes()} nodes, "
              f"{built.graph.number_of_edges()} edges -> {path}", highlight=False, markup=False)
    if open_browser:
        webbrowser.open(path.resolve().as_uri())
