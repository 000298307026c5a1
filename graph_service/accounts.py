"""Account maps: an account's buying committee, each person's influence, and how well we cover it.

An account map answers, for one company (optionally as of a date): who works
there by decision layer, how much weight each person carries, which of them our
team knows and how closely, which layers we do not reach, and the best warm
paths to the decision-makers we do not know yet.

Influence of a person inside the account is
:func:`graph_service.influence.internal_influence`: half the seniority of the
title (0..10, scaled to 0..1), half the person's PageRank among the account's
own ties (min-max scaled), so the title says who may sign and the colleagues
say whose word carries.

Coverage of a person is read from the projection: our best *direct* tie
(strength in (0, 1] and the team member holding it) and the length of the
shortest chain of ties from anyone on our team (1 = a direct tie, up to
``MAX_HOPS``; ``None`` beyond). A person is *covered* when some team member has
a direct tie of at least ``COVERED_STRENGTH`` to them; a layer is covered when
one of its people is. Gaps name the layers nobody covers (or nobody is known
in), an account covered through a single person, and coverage that stops at the
decision-makers. Next steps are the best warm paths
(:func:`graph_service.paths.warm_paths`) to the most influential decision-makers
we do not cover.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal, NamedTuple, TypeVar

import networkx as nx
from pydantic import BaseModel

from graph_service.access import Viewer, masked_path, private_note
from graph_service.asof import held_on, possibly_held
from graph_service.bounded import BoundedProjection, QueryProjection, full_only
from graph_service.errors import InvalidInput, NotFound, Problem
from graph_service.feed import team_of
from graph_service.influence import (
    IndustryFigure,
    brokers,
    industry_figures,
    influence_toward,
    internal_influence,
    subgraph_adjacency,
    weighted_pagerank,
)
from graph_service.layers import layer_of, seniority_of
from graph_service.model import DecisionLayer, StoredEmployment
from graph_service.moves import is_side_position
from graph_service.paths import WarmPath, warm_paths
from graph_service.projection import ResultCache, private_ties, tie_owners
from graph_service.store.base import Store, StoreTx

T = TypeVar("T")

MAX_HOPS = 3
"""Longest chain of ties, from our team, that a map measures."""

COVERED_STRENGTH = 0.1
"""A direct tie at least this strong covers a person; weaker (one copied email) is noted, not counted."""

LAYERS: tuple[DecisionLayer, ...] = (
    DecisionLayer.decision_maker,
    DecisionLayer.executor,
    DecisionLayer.user_influencer,
    DecisionLayer.unknown,
)

GAP_TEXT = {
    DecisionLayer.decision_maker: "no relationship to any decision-maker",
    DecisionLayer.executor: "no relationship to any executor (procurement, project, technical)",
    DecisionLayer.user_influencer: "no relationship to any user or influencer",
}
MISSING_TEXT = {
    DecisionLayer.decision_maker: "no decision-maker known at this account",
    DecisionLayer.executor: "no executor known at this account (procurement, project, technical)",
    DecisionLayer.user_influencer: "no user or influencer known at this account",
}
SINGLE_THREAD_TEXT = (
    "single-threaded: {name} is the only person we cover here; if they leave, the account goes with them"
)
TOP_ONLY_TEXT = "no relationship below the decision-makers: when they leave, nothing carries the account"


class Staff(NamedTuple):
    """One person at the account, as the store or the projection knows them: the input of a map.

    A named tuple, not a frozen dataclass: an account has thousands, built on every map.
    """

    id: str
    name: str
    title: str
    department: str
    layer: DecisionLayer
    layer_inferred: bool
    seniority: int
    certain: bool = True


class CompanyRef(BaseModel):
    id: str
    name: str
    status: str


class Coverage(BaseModel):
    """How close our team is to one person."""

    strength: float
    """Our best direct tie, 0 when no one on our team has one."""
    via: str | None
    """The team member holding that tie."""
    covered: bool
    """The direct tie is at least COVERED_STRENGTH strong."""
    hops: int | None
    """Fewest ties from anyone on our team: 1 direct, up to MAX_HOPS; None when farther or unreachable."""


class MappedPerson(BaseModel):
    id: str
    name: str
    title: str
    department: str
    layer: DecisionLayer
    layer_inferred: bool
    """True when the layer was read from the title and department, not stated."""
    seniority: int
    centrality: float
    """Min-max scaled PageRank among the account's own ties, in [0, 1]."""
    influence: float
    """0.5 * seniority / 10 + 0.5 * centrality, in [0, 1]."""
    certain: bool
    """False when, by the precision of its dates, the position only possibly held on the map's day."""
    coverage: Coverage


class Relationship(BaseModel):
    person: str
    name: str
    strength: float
    via: str


class LayerView(BaseModel):
    layer: DecisionLayer
    people: list[MappedPerson]
    """Most influential first."""
    covered: bool
    """Someone in this layer is covered (a direct tie of at least COVERED_STRENGTH)."""
    covered_people: int
    strongest: Relationship | None
    """Our strongest direct tie into this layer."""


class Step(BaseModel):
    person: str | None
    """None: a private contact of ``private_of``, whom only they may name."""
    name: str
    strength: float | None
    """Strength of the tie into this person (None for the first, a team member, and for hidden ties)."""
    private_of: str | None = None
    """The owner of the private tie into this person, when it is one."""


class NextStep(BaseModel):
    """The best warm path to one decision-maker we do not know yet."""

    target: str
    name: str
    influence: float
    path: list[Step]
    score: float | None
    """exp(-cost): the product of the ties' strengths, discounted per hop (None when a tie is hidden)."""


class AccountMap(BaseModel):
    company: CompanyRef
    as_of: date | None
    team: list[str]
    people: int
    layers: list[LayerView]
    gaps: list[str]
    next_steps: list[NextStep]


@dataclass(frozen=True)
class TeamReach:
    """Where a team's ties lead: the fewest ties to everyone within a depth, and each contact's best direct tie."""

    hops: dict[Hashable, int]
    """Fewest ties from the team (team members: 0)."""
    best_tie: dict[Hashable, tuple[float, str]]
    """For each person a team member is tied to: the strongest such tie and the member (the first by id on a draw)."""


def team_reach(G: nx.Graph, team: Collection[Hashable], depth: int = MAX_HOPS - 1) -> TeamReach:
    """Where ``team`` reaches in G within ``depth`` ties, breadth first."""
    hops = {member: 0 for member in team if member in G}
    members = sorted(hops)
    frontier = list(members)
    adj = G._adj
    for level in range(1, depth + 1):
        found = []
        for node in frontier:
            for other in adj[node]:
                if other not in hops:
                    hops[other] = level
                    found.append(other)
        frontier = found
    best_tie: dict[Hashable, tuple[float, str]] = {}
    for member in members:
        for other, tie in adj[member].items():
            strength = float(tie["strength"])
            if strength > best_tie.get(other, (0.0, ""))[0]:
                best_tie[other] = (strength, member)
    return TeamReach(hops, best_tie)


def _coverage(G: nx.Graph, person: str, reach: TeamReach) -> Coverage:
    """Our best direct tie to ``person``, and the fewest ties to them from the team (exact up to MAX_HOPS - 1)."""
    if person not in G:
        return Coverage(strength=0.0, via=None, covered=False, hops=None)
    strength, via = reach.best_tie.get(person, (0.0, None))
    hops = reach.hops.get(person)
    if hops is None and not reach.hops.keys().isdisjoint(G._adj[person]):
        hops = MAX_HOPS  # a neighbour is within MAX_HOPS - 1: every nearer one would be in reach itself
    return Coverage(strength=round(strength, 6), via=via, covered=strength >= COVERED_STRENGTH, hops=hops)


def build_map(
    G: nx.Graph,
    *,
    company: CompanyRef,
    staff: Sequence[Staff],
    team: Collection[str],
    as_of: date | None = None,
    reach: TeamReach | None = None,
    next_steps: int = 5,
    max_hops: int = 3,
) -> AccountMap:
    """An account map from the account's staff and the person graph: pure, no store.

    Parameters
    ----------
    G : networkx.Graph
        The projection's person graph (edges with ``strength`` and integer ``cost``).
    company : CompanyRef
    staff : sequence of Staff
        The account's people on the map's day; team members among them are left out.
    team : collection of str
        Our team: the starting points of coverage and warm paths.
    reach : TeamReach, optional
        :func:`team_reach` of this team, when the caller keeps it between maps.
    next_steps : int
        How many uncovered decision-makers (most influential first) get a warm path.
    max_hops : int
        Longest warm path, in ties: 3 reaches a decision-maker through a friend of
        a friend (us -> introducer -> their contact -> the decision-maker).

    Returns
    -------
    AccountMap
    """
    team = frozenset(team)
    staff = [s for s in staff if s.id not in team]
    reach = team_reach(G, team) if reach is None else reach
    standing = internal_influence(subgraph_adjacency(G, [s.id for s in staff]), {s.id: s.seniority for s in staff})
    people = [
        MappedPerson(
            id=s.id, name=s.name, title=s.title, department=s.department, layer=s.layer,
            layer_inferred=s.layer_inferred, seniority=s.seniority, centrality=standing[s.id].centrality,
            influence=standing[s.id].influence, certain=s.certain, coverage=_coverage(G, s.id, reach),
        )
        for s in staff
    ]
    people.sort(key=lambda p: (-p.influence, -p.coverage.strength, p.id))
    layers = [_layer_view(layer, [p for p in people if p.layer == layer]) for layer in LAYERS]
    return AccountMap(
        company=company, as_of=as_of, team=sorted(team), people=len(people), layers=layers,
        gaps=_gaps(layers, people), next_steps=_next_steps(G, layers[0], team, next_steps, max_hops),
    )


def seen_by(account: AccountMap, viewer: Viewer, names: Mapping[Hashable, Mapping[str, object]]) -> AccountMap:
    """The map as ``viewer`` may see it: in next steps, someone else's private contacts, and the
    strengths of the ties around them, are left out (see ``access.masked_path``)."""
    steps = [_step_seen(step, viewer, names) for step in account.next_steps]
    return account if steps == account.next_steps else account.model_copy(update={"next_steps": steps})


def _step_seen(step: NextStep, viewer: Viewer, names: Mapping[Hashable, Mapping[str, object]]) -> NextStep:
    path = step.path
    hidden_nodes, hidden_hops = masked_path(viewer, [s.person or "" for s in path], [s.private_of for s in path[1:]])
    if not hidden_hops:
        return step
    shown = []
    for i, s in enumerate(path):
        if i in hidden_nodes:
            owner = s.private_of or path[i + 1].private_of or ""
            shown.append(Step(person=None, name=private_note(_name(names, owner)), strength=None,
                              private_of=owner))
        else:
            shown.append(s.model_copy(update={"strength": None} if i - 1 in hidden_hops else {}))
    return step.model_copy(update={"path": shown, "score": None})


def _layer_view(layer: DecisionLayer, people: list[MappedPerson]) -> LayerView:
    covered = [p for p in people if p.coverage.covered]
    tied = [p for p in people if p.coverage.via is not None]
    best = max(tied, key=lambda p: (p.coverage.strength, p.influence), default=None)
    strongest = None
    if best is not None and best.coverage.via is not None:
        strongest = Relationship(person=best.id, name=best.name, strength=best.coverage.strength, via=best.coverage.via)
    return LayerView(layer=layer, people=people, covered=bool(covered), covered_people=len(covered),
                     strongest=strongest)


def _gaps(layers: Sequence[LayerView], people: Sequence[MappedPerson]) -> list[str]:
    gaps = []
    for view in layers:
        if view.layer == DecisionLayer.unknown:
            continue
        if not view.people:
            gaps.append(MISSING_TEXT[view.layer])
        elif not view.covered:
            gaps.append(GAP_TEXT[view.layer])
    covered = [p for p in people if p.coverage.covered]
    if len(covered) == 1:
        gaps.append(SINGLE_THREAD_TEXT.format(name=covered[0].name))
    elif covered and all(p.layer == DecisionLayer.decision_maker for p in covered):
        gaps.append(TOP_ONLY_TEXT)
    return gaps


def _next_steps(G: nx.Graph, deciders: LayerView, team: frozenset[str], limit: int, max_hops: int) -> list[NextStep]:
    """The best warm path to each of the most influential uncovered decision-makers, up to ``limit`` of them."""
    sources = [member for member in sorted(team) if member in G]
    wanted = [p for p in deciders.people if not p.coverage.covered and p.id in G]
    steps: list[NextStep] = []
    if not sources or not wanted or limit <= 0:
        return steps
    with private_ties(G):
        for person in wanted:
            found = warm_paths(G, sources, [person.id], k=1, max_hops=max_hops)
            if found:
                steps.append(_step(G, person, found[0], tie_owners(G, found[0].nodes)))
                if len(steps) == limit:
                    break
    return steps


def _step(G: nx.Graph, person: MappedPerson, path: WarmPath, owners: list[str | None]) -> NextStep:
    names = G.nodes
    hops = [Step(person=path.nodes[0], name=_name(names, path.nodes[0]), strength=None)]
    hops += [Step(person=hop.target, name=_name(names, hop.target), strength=hop.strength, private_of=owner)
             for hop, owner in zip(path.hops, owners)]
    return NextStep(target=person.id, name=person.name, influence=person.influence, path=hops,
                    score=round(path.score, 6))


def _name(nodes: Mapping[Hashable, Mapping[str, object]], node: Hashable) -> str:
    return str(nodes[node].get("name", node)) if node in nodes else str(node)


# -- use cases --------------------------------------------------------------------------------


def _team(tx: StoreTx, team: Iterable[str] | None) -> frozenset[str]:
    """The given persons (each must exist), or everyone marked internal."""
    if team is None:
        return frozenset(team_of(tx))
    wanted = sorted(set(team))
    missing = set(wanted) - tx.existing_ids("person", wanted)
    if missing:
        raise InvalidInput([Problem("team", f"no person {id!r}") for id in sorted(missing)])
    return frozenset(wanted)


def staff_on(
    tx: StoreTx, company_id: str, day: date, names: Mapping[str, Mapping[str, Any]]
) -> tuple[CompanyRef, list[Staff]]:
    """The company and everyone who held (or possibly held) a position there on ``day``, one entry per person.

    A person's main job counts before a side position (board seat, adviser), a
    certain one before a possible one (see :func:`graph_service.asof.held_on`).
    Names come from ``names`` (the projection's nodes), else from the store.
    """
    found = tx.get_many("company", [company_id])
    if company_id not in found:
        raise NotFound("company", company_id)
    company: Any = found[company_id]
    best: dict[str, tuple[StoredEmployment, bool]] = {}
    for employment in possibly_held(tx, company_id, day, StoredEmployment):
        possible, certain = held_on(employment, day)
        if possible:
            known = best.get(employment.person_id)
            if known is None or _first_position((employment, certain)) < _first_position(known):
                best[employment.person_id] = (employment, certain)
    missing = [p for p in best if p not in names]
    stored: dict[str, Any] = tx.get_many("person", missing) if missing else {}
    staff = []
    for person, (employment, certain) in best.items():
        layer, inferred = layer_of(employment)
        name = names[person]["name"] if person in names else getattr(stored.get(person), "name", person)
        seniority = employment.seniority if employment.seniority is not None else seniority_of(employment.title)
        staff.append(Staff(id=person, name=name, title=employment.title, department=employment.department,
                           layer=layer, layer_inferred=inferred, seniority=seniority, certain=certain))
    return CompanyRef(id=company.id, name=company.name, status=company.status), staff


def _first_position(held: tuple[StoredEmployment, bool]) -> tuple[bool, bool, date, str]:
    """Which of a person's positions at an account a map shows: a main job before a side position, a
    certain one before a possible one, then the earliest."""
    employment, certain = held
    return is_side_position(employment), not certain, employment.start or date.min, employment.id


def get_account_map(
    *,
    store: Store,
    projection: QueryProjection,
    company_id: str,
    as_of: date | None = None,
    team: Iterable[str] | None = None,
    cache: ResultCache | None = None,
    next_steps: int = 5,
    viewer: Viewer,
) -> AccountMap:
    """The account map of one company on ``as_of`` (default: today), for ``team`` (default: our team),
    as ``viewer`` may see it (see :func:`seen_by`).

    People and their positions are the store's employments held on that day;
    ties, coverage and warm paths are the projection's, as known now (coverage
    counts team-visible ties only; warm paths also private ones). Raises NotFound
    for an unknown company and InvalidInput for an unknown team member. On a bounded
    projection the graph is the neighbourhood of the team and the account's people.
    """
    if isinstance(projection, BoundedProjection):
        return _bounded_map(store=store, projection=projection, company_id=company_id, as_of=as_of, team=team,
                            cache=cache, next_steps=next_steps, viewer=viewer)
    with projection.current() as G:
        seq = projection.seq

        def read(tx: StoreTx) -> tuple[frozenset[str], date]:
            return _team(tx, team), as_of or projection.today

        chosen, day = store.read(read)

        def build() -> AccountMap:
            reach = projection.tie_results.get_or_build(projection.ties_seq, ("reach", chosen),
                                                        lambda: team_reach(G, chosen))
            company, staff = store.read(lambda tx: staff_on(tx, company_id, day, G._node))
            return build_map(G, company=company, staff=staff, team=chosen, as_of=day, reach=reach,
                             next_steps=next_steps)

        return seen_by(_cached(cache, seq, ("map", company_id, day, chosen, next_steps), build), viewer, G.nodes)


def _bounded_map(*, store: Store, projection: BoundedProjection, company_id: str, as_of: date | None,
                 team: Iterable[str] | None, cache: ResultCache | None, next_steps: int, viewer: Viewer) -> AccountMap:
    """:func:`get_account_map` on the neighbourhood of the team and the account's people (``MAX_HOPS`` deep)."""
    def read(tx: StoreTx) -> tuple[int, frozenset[str], date]:
        return tx.last_change(), _team(tx, team), as_of or projection.today

    seq, chosen, day = store.read(read)

    def build() -> tuple[AccountMap, dict[str, dict[str, object]]]:
        company, staff = store.read(lambda tx: staff_on(tx, company_id, day, {}))
        G = projection.graph(sources=chosen, targets=[s.id for s in staff if s.id not in chosen], hops=MAX_HOPS)
        found = build_map(G, company=company, staff=staff, team=chosen, as_of=day, next_steps=next_steps)
        owners = {s.private_of for step in found.next_steps for s in step.path if s.private_of}
        return found, {owner: {"name": G.nodes[owner]["name"]} for owner in owners if owner in G}

    found, names = _cached(cache, seq, ("map", company_id, day, chosen, next_steps), build)
    return seen_by(found, viewer, names)


def _cached(cache: ResultCache | None, seq: int, key: Hashable, build: Callable[[], T]) -> T:
    return build() if cache is None else cache.get_or_build(seq, key, build)


# -- influence across the graph ---------------------------------------------------------------

Ranking = Literal["pagerank", "brokers", "figures"]


class Influencer(BaseModel):
    id: str
    name: str
    internal: bool
    """On our team."""
    score: float
    employers: list[CompanyRef]
    """Where the person works now."""
    companies_reached: int | None = None
    """Figures only: other companies the person's ties reach."""
    decision_makers_reached: int | None = None
    """Figures only: decision-makers at other companies tied to the person."""


class Influencers(BaseModel):
    by: Ranking
    toward: CompanyRef | None
    seeds: list[str]
    """With ``toward``: the account's decision-makers the walk restarts at."""
    people: list[Influencer]


def list_influencers(
    *,
    store: Store,
    projection: QueryProjection,
    toward: str | None = None,
    by: Ranking = "pagerank",
    limit: int = 20,
    k: int = 256,
    cache: ResultCache | None = None,
) -> Influencers:
    """The most influential people of the whole graph, or the best placed to sway one account's decision-makers.

    ``by``: ``pagerank`` (weighted by tie strength), ``brokers`` (betweenness in
    hops, ``k`` sampled sources with a fixed seed) or ``figures``
    (:func:`graph_service.influence.industry_figures`). With ``toward`` (a company
    id, PageRank only) the walk restarts at that account's current
    decision-makers, weighted by seniority, and they are left out of the list.
    Rankings are cached until the next write.
    """
    if toward is not None and by != "pagerank":
        raise InvalidInput(Problem("by", "only pagerank can be personalised toward an account"))
    projection = full_only(projection, "ranking influencers")
    with projection.current() as G:
        seq = projection.seq
        matrix = projection.adjacency()
        company, seeds, details = None, {}, {}
        if toward is not None:
            company, staff = store.read(lambda tx: staff_on(tx, toward, projection.today, G._node))
            seeds = {s.id: max(s.seniority, 1) for s in staff if s.layer == DecisionLayer.decision_maker and s.id in G}
            if not seeds:
                raise InvalidInput(Problem("toward", f"no decision-maker of {toward!r} is in the graph"))
            scores = _cached(cache, seq, ("toward", toward), lambda: influence_toward(matrix, seeds))
        elif by == "brokers":
            scores = _cached(cache, seq, ("brokers", k), lambda: brokers(matrix, k=min(k, len(matrix)) or None))
        elif by == "figures":
            found = _cached(cache, seq, ("figures",), lambda: _figures(G))
            scores = {f.person: f.score for f in found}
            details = {f.person: (f.companies, f.decision_makers) for f in found}
        else:
            scores = _cached(cache, seq, ("pagerank",), lambda: weighted_pagerank(matrix))
        ranked = heapq.nlargest(limit, (p for p in scores if p not in seeds), key=scores.__getitem__)
        companies = G.graph.get("companies", {})
        people = []
        for p in ranked:
            node = G.nodes[p]
            reached, deciders = details.get(p, (None, None))
            employers = [_company(companies, job.company_id) for job in node.get("jobs", ())]
            people.append(Influencer(id=p, name=node.get("name", p), internal=bool(node.get("internal")),
                                     score=scores[p], employers=employers, companies_reached=reached,
                                     decision_makers_reached=deciders))
        return Influencers(by=by, toward=company, seeds=sorted(seeds), people=people)


def _figures(G: nx.Graph) -> list[IndustryFigure]:
    employer_of: dict[Hashable, list[str]] = {}
    layer_of: dict[tuple[Hashable, str], str] = {}
    for person, jobs in G.nodes(data="jobs", default=()):
        if jobs:
            employer_of[person] = [job.company_id for job in jobs]
            for job in jobs:
                layer_of[(person, job.company_id)] = job.decision_layer
    return industry_figures(G, employer_of, layer_of)


def _company(companies: Mapping[str, Any], id: str) -> CompanyRef:
    found = companies.get(id)
    return CompanyRef(id=id, name=found.name if found else id, status=found.status if found else "other")
