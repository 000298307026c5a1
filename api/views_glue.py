"""Graph views from the services: each view's parameters, and the view graph built from the services' results.

The services (``graph_service``) return plain data and never import
:mod:`visualize`; the builders of :mod:`visualize.views` turn plain data into a
view graph. This module joins the two, for the API (``api/routes/views.py``, and
embeds) and for ``sgraph view`` alike, so a page, its exports and the offline file
show the same graph. No FastAPI here.

Views and their parameters
--------------------------
``paths``
    Warm paths to a person (``person_id``) or to a company's current employees
    (``company_id``, optional ``layers``), from ``sources`` (default: our team);
    ``k`` paths of at most ``max_hops`` ties (:func:`graph_service.intros.find_intro_paths`).
``network``
    A person's ties to ``depth`` 1 or 2, at most ``cap`` per person (the projection's graph).
``account``
    A company's people by decision layer and our team's ties into it, on ``as_of``
    (:func:`graph_service.accounts.get_account_map`).
``talent_flow``
    Job moves between companies from ``since`` to ``until``, optionally only into or
    out of ``company_id`` (:func:`graph_service.feed.list_feed`, the most relevant
    ``MAX_MOVES`` at most).

Lists (``layers``, ``sources``) are comma-separated strings in one canonical
form (sorted, no repeats), so a view's parameters compare equal however they
were written: an embed token pins exactly them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import networkx as nx
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from graph_service.access import OPERATOR, Viewer
from graph_service.accounts import AccountMap, ResultCache, get_account_map
from graph_service.errors import InvalidInput, NotFound, Problem, problems_from_errors
from graph_service.feed import FeedIndex, FeedItem, list_feed
from graph_service.intros import MAX_HOPS, IntroRequest, IntroResult, explain_tie, find_intro_paths
from graph_service.model import Day
from graph_service.projection import Projection
from graph_service.store.base import Store
from visualize import views

MAX_MOVES = 5_000
"""Most job moves a talent-flow view reads (the most relevant first); the subtitle says when more matched."""
MAX_CAP = 200
"""Most ties per person a network view may ask for."""
FEED_PAGE = 1_000


# -- parameters -----------------------------------------------------------------------------------


def _listed(value: Any) -> str | None:
    """A list, or a comma-separated string, as one canonical comma-separated string (None when empty)."""
    if value is None:
        return None
    parts = value if isinstance(value, (list, tuple)) else str(value).split(",")
    found = sorted({str(part).strip() for part in parts if str(part).strip()})
    return ",".join(found) or None


def _split(value: str | None) -> list[str]:
    return value.split(",") if value else []


class _Params(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    view: ClassVar[str]


class PathsParams(_Params):
    """Warm paths to a person, or to a company's current employees in some decision layers."""

    view: ClassVar[str] = "paths"
    person_id: str | None = None
    company_id: str | None = None
    layers: str | None = Field(None, description="comma-separated decision layers (with company_id)")
    sources: str | None = Field(None, description="comma-separated person ids (default: our team)")
    k: int = Field(3, ge=1, le=20)
    max_hops: int = Field(4, ge=1, le=MAX_HOPS)

    @field_validator("layers", "sources", mode="before")
    @classmethod
    def _canonical_list(cls, value: Any) -> str | None:
        return _listed(value)

    @model_validator(mode="after")
    def _valid_request(self) -> "PathsParams":
        try:
            self.intro_request()
        except ValidationError as err:  # as one model-level error: "field: reason"
            raise ValueError("; ".join(str(p) for p in problems_from_errors(err.errors()))) from None
        return self

    def intro_request(self) -> IntroRequest:
        return IntroRequest(person_id=self.person_id, company_id=self.company_id, layers=_split(self.layers),
                            sources=_split(self.sources), k=self.k, max_hops=self.max_hops)


class NetworkParams(_Params):
    view: ClassVar[str] = "network"
    person_id: str
    depth: int = Field(1, ge=1, le=2)
    cap: int = Field(30, ge=1, le=MAX_CAP)


class AccountParams(_Params):
    view: ClassVar[str] = "account"
    company_id: str
    as_of: Day | None = None


class TalentFlowParams(_Params):
    view: ClassVar[str] = "talent_flow"
    since: Day | None = None
    until: Day | None = None
    company_id: str | None = None

    @model_validator(mode="after")
    def _ordered(self) -> "TalentFlowParams":
        if self.since and self.until and self.until < self.since:
            raise ValueError("until: must not be before since")
        return self


ViewParams = PathsParams | NetworkParams | AccountParams | TalentFlowParams
PARAMS: dict[str, type[_Params]] = {cls.view: cls for cls in (PathsParams, NetworkParams, AccountParams, TalentFlowParams)}
"""View name (as in embed grants) -> its parameters."""


def parse_params(view: str, params: Mapping[str, Any]) -> ViewParams:
    """A view's parameters, checked; InvalidInput naming every problem (unknown view, field or value)."""
    model = PARAMS.get(view)
    if model is None:
        raise InvalidInput(Problem("view", f"must be one of {', '.join(PARAMS)}"))
    try:
        return model.model_validate(dict(params))  # type: ignore[return-value]
    except ValidationError as err:
        raise InvalidInput(problems_from_errors(err.errors())) from err


def canonical(params: ViewParams) -> dict[str, Any]:
    """The parameters as an embed token carries them: every field, defaults filled in, None left out."""
    return params.model_dump(mode="json", exclude_none=True)


# -- the views --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BuiltView:
    """A view graph, with the persons it shows (for the audit log) and a file name stem for downloads."""

    graph: nx.Graph
    persons: list[str]
    filename: str


def build_view(params: ViewParams, *, store: Store, viewer: Viewer, projection: Projection | None = None,
               cache: ResultCache | None = None, feed_index: FeedIndex | None = None) -> BuiltView:
    """The view ``params`` asks for, as ``viewer`` may see it. ``projection`` is required for paths, network and
    account views.

    Raises NotFound for an unknown person or company, InvalidInput for impossible options.
    """
    if isinstance(params, TalentFlowParams):
        return talent_flow(params, store=store, index=feed_index)
    if projection is None:
        raise ValueError(f"the {params.view} view needs the projection")
    if isinstance(params, PathsParams):
        return paths(params, projection=projection, viewer=viewer)
    if isinstance(params, NetworkParams):
        return network(params, projection=projection)
    return account(params, store=store, projection=projection, cache=cache)


def _slug(*parts: object) -> str:
    text = "-".join(str(part) for part in parts if part not in (None, ""))
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text)[:100].strip("._-") or "view"


def _person(G: nx.Graph, person: str, company_id: str | None = None) -> dict[str, Any]:
    """A person record for the builders from the projection: name, team, and the most senior current job
    (at ``company_id`` when they have one there)."""
    node = G.nodes[person]
    jobs = list(node.get("jobs", ()))
    job = max([j for j in jobs if j.company_id == company_id] or jobs, key=lambda j: j.seniority, default=None)
    companies = G.graph["companies"]
    record: dict[str, Any] = {"id": person, "name": node["name"], "internal": bool(node["internal"])}
    if job is not None:
        record["title"] = job.title
        record["company"] = companies[job.company_id].name if job.company_id in companies else job.company_id
        if not node["internal"]:
            record["layer"] = job.decision_layer
    return record


def _company(G: nx.Graph, company_id: str) -> dict[str, Any]:
    company = G.graph["companies"].get(company_id)
    if company is None:
        raise NotFound("company", company_id)
    return {"id": company_id, "name": company.name, "status": company.status}


def _tie_evidence(projection: Projection, G: nx.Graph, a: str, b: str) -> list[str]:
    evidence = projection.evidence(a, b)
    sentences = explain_tie(evidence, G, a, b) if evidence is not None else []
    return [*sentences, f"strength {float(G.edges[a, b]['strength']):.2f}"]


def paths(params: PathsParams, *, projection: Projection, viewer: Viewer) -> BuiltView:
    """Warm paths (see :func:`graph_service.intros.find_intro_paths`), each hop with the sentences that explain it.

    A person hidden from the viewer (someone's private contact) is drawn as that note, once per path.
    """
    result: IntroResult = find_intro_paths(projection=projection, request=params.intro_request(), viewer=viewer)
    shown: set[str] = set()
    with projection.current() as G:
        target = _company(G, params.company_id) if params.company_id else None
        drawn = []
        for path in result.paths:
            ends = [(path.hops[0].source, path.hops[0].note)] + [(hop.target, hop.note) for hop in path.hops]
            persons = []
            for i, (person, note) in enumerate(ends):
                if person is None:
                    persons.append({"id": f"private {path.rank}.{i}", "name": note})
                else:
                    shown.add(person.id)
                    persons.append(_person(G, person.id, params.company_id) if person.id in G
                                   else {"id": person.id, "name": person.name})
            persons[-1].update(title=path.target.title, layer=path.target.layer,
                               company=path.target.company.name if path.target.company else "")
            hops = [{"strength": hop.strength,
                     "evidence": [*hop.why, f"strength {hop.strength:.2f}"] if hop.strength is not None else [hop.note]}
                    for hop in path.hops]
            drawn.append({"persons": persons, "hops": hops, "score": path.score})
        if target is not None:
            name = target["name"]
        else:
            name = G.nodes[params.person_id]["name"] if params.person_id in G else str(params.person_id)
    view = views.path_view(drawn, target=target, title=f"Warm paths to {name}")
    if not result.paths and result.detail:
        view.graph["subtitle"] = f"no path: {result.detail}"
    view.graph["params"] = canonical(params)
    which = ("company", params.company_id) if params.company_id else ("person", params.person_id)
    return BuiltView(view, sorted(shown), _slug("paths", *which))


def _drawn(G: nx.Graph, center: str, depth: int, cap: int) -> tuple[set[str], list[str]]:
    """The persons a network view draws and its hubs: the selection of :func:`visualize.views.network_view`."""
    def ranked(hub: str) -> list[str]:
        return sorted(G._adj[hub], key=lambda other: (-float(G._adj[hub][other]["strength"]), other))

    drawn, hubs, frontier = {center}, [], [center]
    for _ in range(depth):
        found = []
        for hub in frontier:
            hubs.append(hub)
            neighbours = ranked(hub)
            shown = sum(1 for other in neighbours if other in drawn)
            for other in neighbours:
                if shown >= cap:
                    break
                if other not in drawn:
                    drawn.add(other)
                    found.append(other)
                    shown += 1
        frontier = found
    return drawn, hubs


def network(params: NetworkParams, *, projection: Projection) -> BuiltView:
    """A person's network from the projection: the strongest ``cap`` ties per person, to depth 1 or 2.

    Every tie of the expanded persons (the hubs) goes to the builder, which picks the
    same persons as :func:`_drawn`; only the ties it draws get their evidence explained.
    """
    center = params.person_id
    with projection.current() as G:
        if center not in G:
            raise NotFound("person", center)
        drawn, hubs = _drawn(G, center, params.depth, params.cap)
        pairs = {(min(hub, other), max(hub, other)) for hub in hubs for other in G._adj[hub]}
        pairs |= {(a, b) for a in drawn for b in G._adj[a] if b in drawn and a < b}
        ties = []
        for a, b in sorted(pairs):
            tie: dict[str, Any] = {"a": a, "b": b, "strength": float(G._adj[a][b]["strength"])}
            if a in drawn and b in drawn:
                tie["evidence"] = _tie_evidence(projection, G, a, b)
            ties.append(tie)
        persons = {p: _person(G, p) for p in drawn}
        degrees = {hub: G.degree(hub) for hub in hubs}
    view = views.network_view(center, persons=persons, ties=ties, depth=params.depth, cap=params.cap, degrees=degrees)
    view.graph["params"] = canonical(params)
    return BuiltView(view, sorted(drawn), _slug("network", center, f"depth{params.depth}"))


def account(params: AccountParams, *, store: Store, projection: Projection, cache: ResultCache | None = None) -> BuiltView:
    """The account map (see :func:`graph_service.accounts.get_account_map`) with our team's ties into it."""
    with projection.current() as G:
        found: AccountMap = get_account_map(store=store, projection=projection, company_id=params.company_id,
                                            as_of=params.as_of, cache=cache, next_steps=0, viewer=OPERATOR)
        people = [{"id": p.id, "name": p.name, "title": p.title, "layer": p.layer.value, "influence": p.influence}
                  for layer in found.layers for p in layer.people]
        staff = {p["id"] for p in people}
        team = [m for m in found.team if m in G and not staff.isdisjoint(G._adj[m])]
        shown = staff | set(team)
        ties = [{"a": a, "b": b, "evidence": _tie_evidence(projection, G, a, b),
                 "strength": float(G._adj[a][b]["strength"])}
                for a in sorted(shown) if a in G for b in G._adj[a] if b in shown and a < b]
        team_records = [_person(G, m) for m in team]
    company = {"id": found.company.id, "name": found.company.name, "status": found.company.status}
    view = views.account_view({"company": company, "people": people, "team": team_records, "ties": ties})
    if found.as_of is not None:
        view.graph["subtitle"] += f", on {found.as_of.isoformat()}"
    view.graph["params"] = canonical(params)
    return BuiltView(view, sorted(shown), _slug("account", params.company_id, params.as_of))


def talent_flow(params: TalentFlowParams, *, store: Store, index: FeedIndex | None = None) -> BuiltView:
    """Job moves between companies in the period (the feed's most relevant ``MAX_MOVES`` at most)."""
    index = index or FeedIndex(store)
    items: list[FeedItem] = []
    after, total = None, 0
    while len(items) < MAX_MOVES:
        page = list_feed(store=store, index=index, since=params.since, until=params.until,
                         company_id=params.company_id, limit=min(FEED_PAGE, MAX_MOVES - len(items)), after=after)
        items += page.items
        total = page.total
        after = page.next_cursor
        if after is None:
            break
    companies = {ref.id: ref for item in items for ref in (item.from_company, item.to_company)}
    persons = {item.move.person_id: {"id": item.move.person_id, "name": item.person_name} for item in items}
    if params.company_id is not None and params.company_id not in companies:
        found = store.read(lambda tx: tx.get_many("company", [params.company_id]))
        if params.company_id not in found:
            raise NotFound("company", params.company_id)
    title = "Talent flow"
    if params.company_id is not None:
        title += f": {companies[params.company_id].name}" if params.company_id in companies else f": {params.company_id}"
    view = views.talent_flow_view([item.move for item in items], companies=companies, persons=persons,
                                  since=params.since, until=params.until, title=title)
    if total > len(items):
        view.graph["subtitle"] += f" (the {len(items)} most relevant of {total})"
    view.graph["params"] = canonical(params)
    return BuiltView(view, sorted(persons), _slug("talent-flow", params.company_id, params.since, params.until))
