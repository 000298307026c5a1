"""Warm introductions: "who can introduce me to this CEO?", with every hop explained.

The request names a target person, or a company and the decision layers wanted
there (its current employees), and the sources: given persons, or the whole team.
Paths come from ``paths.warm_paths`` on the projection; each hop says in words
and in data why the two know each other ("emailed 43 times, last 2001-10-12, both
initiated"; "worked together at Enron 1998-2001 in Trading"; "referred by X in
2020"), with the source of every piece of evidence. When there is no path, the
result says why: no team, the target is on our team, no current employees in
those layers, nobody knows the target, no chain within the hop limit, or chains
that the avoid, strength or date rules all block.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from enum import StrEnum
from typing import Any

import networkx as nx
from pydantic import BaseModel, ConfigDict, Field, model_validator

from graph_service.access import Viewer, masked_path, masking_owners, private_note
from graph_service.asof import PersonRef
from graph_service.bounded import QueryProjection, intro_graph
from graph_service.errors import NotFound, one_person_named
from graph_service.feed import CompanyRef
from graph_service.model import DecisionLayer, Id
from graph_service.paths import Introductions, WarmPath, best_introducers, warm_paths
from graph_service.projection import Company, Job, Projection, private_ties, tie_owners
from graph_service.strength import PairEvidence, ReferralEvidence, TalkEvidence, TieEvidence, WorkEvidence, evidence_dicts, strength_parts

MAX_HOPS = 6


class IntroRequest(BaseModel):
    """A target (a person, or a company and decision layers) and how to search for paths to it."""

    model_config = ConfigDict(extra="forbid")

    person_id: Id | None = Field(None, description="the target person")
    company_id: Id | None = Field(None, description="the target company: its current employees")
    layers: list[DecisionLayer] = Field([], description="with company_id: only these decision layers (empty: all)")
    sources: list[Id] = Field([], description="start from these persons; empty: the whole team")
    k: int = Field(3, ge=1, le=20, description="how many paths")
    max_hops: int = Field(4, ge=1, le=MAX_HOPS, description="longest path, in ties")
    min_strength: float = Field(0.0, ge=0, le=1, description="do not walk weaker ties")
    avoid_persons: list[Id] = Field([], description="no path passes through these persons")
    avoid_companies: list[Id] = Field([], description="no path passes through their current employees")
    newer_than: date | None = Field(None, description="only ties with evidence on or after this day")
    hop_penalty: float = Field(0.1, ge=0, le=10, description="nats per hop: each hop multiplies the score by exp(-this)")
    diverse: bool = Field(True, description="no two paths share their first introducer")
    introducers: int = Field(0, ge=0, le=100, description="also rank this many best introducers and team members")

    @model_validator(mode="after")
    def _one_target(self) -> "IntroRequest":
        if (self.person_id is None) == (self.company_id is None):
            raise ValueError("person_id: give either person_id or company_id")
        if self.layers and self.company_id is None:
            raise ValueError("layers: only with company_id")
        return self


class EmptyReason(StrEnum):
    no_team = "no_team"
    target_on_team = "target_on_team"
    no_current_employees = "no_current_employees"
    target_unconnected = "target_unconnected"
    too_far = "too_far"
    blocked = "blocked"


class Target(BaseModel):
    person: PersonRef
    company: CompanyRef | None = None
    title: str = ""
    layer: str = DecisionLayer.unknown.value


class IntroHop(BaseModel):
    source: PersonRef | None
    """None: a private contact of ``private_of``, whom only they may name."""
    target: PersonRef | None
    strength: float | None
    """None when the hop is hidden from the caller (see ``private_of``)."""
    private_of: PersonRef | None = None
    """The owner of the private tie this hop runs over, or that hides one of its persons."""
    note: str | None = None
    """For a hidden hop: "a private contact of OWNER: ask them"."""
    why: list[str]
    """One sentence per piece of evidence, with its source."""
    parts: dict[str, float]
    """Each kind of evidence's part of the strength (tie, talk, work, referral)."""
    evidence: list[dict[str, Any]]


class IntroPath(BaseModel):
    rank: int
    score: float | None
    """Product of the ties' strengths, discounted per hop by the hop penalty (None when a hop is hidden)."""
    strength: float | None
    introducer: PersonRef | None
    """The first person after the source; None for a direct tie or a hidden private contact."""
    target: Target
    hops: list[IntroHop]


class RankedIntroducer(BaseModel):
    person: PersonRef
    via: PersonRef
    targets: int
    score: float


class RankedMember(BaseModel):
    person: PersonRef
    targets: int
    introducers: int
    score: float | None
    """Of the member's best path; None when a hop of it is hidden from the caller."""


class IntroResult(BaseModel):
    paths: list[IntroPath]
    reason: EmptyReason | None = None
    detail: str | None = None
    sources: int
    targets: int
    introducers: list[RankedIntroducer] = []
    members: list[RankedMember] = []
    weights_version: str


def find_intro_paths(*, projection: QueryProjection, request: IntroRequest, viewer: Viewer) -> IntroResult:
    """The best warm paths for a request, explained; an empty list with the reason when there are none.

    Private ties count (see ``projection.private_ties``); what the viewer may not see of
    them is left out (see ``access.masked_path``). Raises NotFound for an unknown person
    or company id.
    """
    with intro_graph(projection, request) as G, private_ties(G):
        sources = _sources(G, request.sources)
        targets = _targets(G, request)
        avoid = _avoided(G, request)
        options = dict(max_hops=request.max_hops, min_strength=request.min_strength, avoid=avoid,
                       newer_than=request.newer_than, hop_penalty=request.hop_penalty)
        result = IntroResult(paths=[], sources=len(sources), targets=len(targets),
                             weights_version=projection.weights.version)
        reachable = set(targets) - sources
        if not sources or not reachable:
            result.reason, result.detail = _no_ends(G, request, sources, targets)
            return result
        paths = warm_paths(G, sources, targets, k=request.k, diverse=request.diverse, **options)
        result.paths = [_explain(projection, G, rank, path, targets, viewer) for rank, path in enumerate(paths, start=1)]
        if not paths:
            result.reason, result.detail = _no_paths(G, sources, reachable, request, avoid)
        if request.introducers:
            _rank_introducers(G, result, best_introducers(G, sources, targets, limit=request.introducers, **options),
                              viewer)
        return result


def find_person(*, projection: Projection, name: str) -> str:
    """The id of the one person with this name (exact, any case); raises NotFound or, when several, InvalidInput."""
    wanted = name.strip().casefold()
    with projection.current() as G:
        return one_person_named(name, sorted((p, n) for p, n in G.nodes(data="name") if n.casefold() == wanted))


# -- resolving the request ---------------------------------------------------------------------


def _person(G: nx.Graph, person: str) -> PersonRef:
    node = G.nodes[person]
    return PersonRef(id=person, name=node["name"], internal=node["internal"])


def _company(G: nx.Graph, company_id: str) -> CompanyRef:
    company: Company = G.graph["companies"][company_id]
    return CompanyRef(id=company_id, name=company.name, status=company.status)


def _known(G: nx.Graph, persons: Iterable[str]) -> None:
    for person in persons:
        if person not in G:
            raise NotFound("person", person)


def _sources(G: nx.Graph, given: list[str]) -> set[str]:
    _known(G, given)
    return set(given) if given else set(G.graph["team"])


def _targets(G: nx.Graph, request: IntroRequest) -> dict[str, Target]:
    """The target persons, each with the current job that makes them one."""
    if request.person_id is not None:
        _known(G, [request.person_id])
        jobs = G.nodes[request.person_id]["jobs"]
        return {request.person_id: _target(G, request.person_id, max(jobs, key=lambda j: j.seniority, default=None))}
    company_id = request.company_id
    assert company_id is not None
    if company_id not in G.graph["companies"]:
        raise NotFound("company", company_id)
    layers = {layer.value for layer in request.layers}
    targets = {}
    for person in sorted(G.graph["employees"].get(company_id, ())):
        jobs = [j for j in G.nodes[person]["jobs"] if j.company_id == company_id and (not layers or j.decision_layer in layers)]
        if jobs:
            targets[person] = _target(G, person, max(jobs, key=lambda j: j.seniority))
    return targets


def _target(G: nx.Graph, person: str, job: Job | None) -> Target:
    if job is None:
        return Target(person=_person(G, person))
    company = _company(G, job.company_id) if job.company_id in G.graph["companies"] else None
    return Target(person=_person(G, person), company=company, title=job.title, layer=job.decision_layer)


def _avoided(G: nx.Graph, request: IntroRequest) -> set[str]:
    _known(G, request.avoid_persons)
    avoid = set(request.avoid_persons)
    for company_id in request.avoid_companies:
        if company_id not in G.graph["companies"]:
            raise NotFound("company", company_id)
        avoid |= G.graph["employees"].get(company_id, set())
    return avoid


# -- when there is no path -----------------------------------------------------------------------


def _no_ends(G: nx.Graph, request: IntroRequest, sources: set[str], targets: dict[str, Target]) -> tuple[EmptyReason, str]:
    if not sources:
        return EmptyReason.no_team, "nobody is on our team: mark our people as internal, or give sources"
    if request.person_id is not None:
        return EmptyReason.target_on_team, f"{G.nodes[request.person_id]['name']} is one of the sources"
    layers = ", ".join(layer.value for layer in request.layers) or "any layer"
    name = _company(G, request.company_id).name  # type: ignore[arg-type]
    if targets:
        return EmptyReason.target_on_team, f"everyone at {name} in {layers} is one of the sources"
    return EmptyReason.no_current_employees, f"{name} has no current employees in {layers}"


def _no_paths(G: nx.Graph, sources: set[str], targets: set[str], request: IntroRequest,
              avoid: set[str]) -> tuple[EmptyReason, str]:
    hops = request.max_hops
    if not any(G.degree(t) for t in targets):
        return EmptyReason.target_unconnected, "nobody in the graph has a tie to the target"
    if not warm_paths(G, sources, targets, k=1, max_hops=hops):
        return EmptyReason.too_far, f"no chain of ties within {hops} hop{'s' * (hops != 1)}"
    rules = {
        "the persons and companies to avoid": dict(avoid=avoid),
        f"the minimum strength {request.min_strength}": dict(min_strength=request.min_strength),
        f"evidence newer than {request.newer_than}": dict(newer_than=request.newer_than),
    }
    blocking = [name for name, rule in rules.items() if not warm_paths(G, sources, targets, k=1, max_hops=hops, **rule)]
    detail = " and ".join(blocking) if blocking else "the avoid, strength and date rules together"
    return EmptyReason.blocked, f"every chain within {hops} hops is blocked by {detail}"


# -- explanations -----------------------------------------------------------------------------------


def _explain(projection: Projection, G: nx.Graph, rank: int, path: WarmPath, targets: dict[str, Target],
             viewer: Viewer) -> IntroPath:
    owners = tie_owners(G, path.nodes)
    hidden_nodes, hidden_hops = masked_path(viewer, path.nodes, owners)
    hops = []
    for i, (hop, owner) in enumerate(zip(path.hops, masking_owners(owners))):
        private_of = _owner(G, owner) if owner is not None else None
        if i in hidden_hops:
            hops.append(IntroHop(
                source=None if i in hidden_nodes else _person(G, hop.source),
                target=None if i + 1 in hidden_nodes else _person(G, hop.target),
                strength=None, private_of=private_of, note=private_note(private_of.name),
                why=[], parts={}, evidence=[]))
            continue
        evidence = G._adj[hop.source][hop.target].evidence
        hops.append(IntroHop(
            source=_person(G, hop.source), target=_person(G, hop.target), strength=round(hop.strength, 6),
            private_of=private_of if owners[i] is not None else None,
            why=explain_tie(evidence, G, hop.source, hop.target),
            parts={kind: round(part, 6) for kind, part in strength_parts(evidence, projection.weights, projection.today).items()},
            evidence=evidence_dicts(evidence),
        ))
    shown = not hidden_hops
    introducer = _person(G, path.introducer) if path.introducer is not None and 1 not in hidden_nodes else None
    return IntroPath(rank=rank, score=round(path.score, 6) if shown else None,
                     strength=round(path.strength, 6) if shown else None, introducer=introducer,
                     target=targets[path.nodes[-1]], hops=hops)


def _owner(G: nx.Graph, owner: str) -> PersonRef:
    """The owner of a private tie: a team member, or a user not linked to a person."""
    return _person(G, owner) if owner in G else PersonRef(id=owner, name=owner or "someone")


def explain_tie(evidence: PairEvidence, G: nx.Graph, source: str, target: str) -> list[str]:
    """Sentences saying why two persons know each other, one per piece of evidence, each with its source."""
    names = {p: G.nodes[p]["name"] for p in (source, target)}
    sentences = []
    if evidence.talk is not None:
        sentences.append(_talked(evidence.talk, names))
    for work in evidence.work:
        sentences.append(_worked(work, G.graph["companies"]))
    for referral in evidence.referrals:
        sentences.append(_referred(referral, G))
    if evidence.tie is not None:
        sentences.append(_tied(evidence.tie))
    return sentences


VERBS = {"email": "emailed", "call": "called", "meeting": "met", "visit": "visited", "site_survey": "did site surveys",
         "trade_show": "met at trade shows", "event": "went to events together", "trial": "ran trials",
         "gift": "exchanged gifts", "other": "were in touch"}
NOUNS = {"email": "email", "call": "call", "meeting": "meeting", "visit": "visit", "site_survey": "site survey",
         "trade_show": "trade show", "event": "event", "trial": "trial", "gift": "gift", "other": "other contact"}


def _talked(talk: TalkEvidence, names: dict[str, str]) -> str:
    count = talk.count
    if len(talk.types) == 1:
        what = f"{VERBS[talk.types[0][0]]} {_times(count)}"
    else:
        mix = ", ".join(f"{direct + copied} {NOUNS[t]}{'s' * (direct + copied != 1)}" for t, direct, copied in talk.types)
        what = f"in touch {_times(count)} ({mix})"
    if talk.by_a and talk.by_b:
        who = "both initiated"
    elif talk.by_a or talk.by_b:
        who = f"{names.get(talk.a if talk.by_a else talk.b, talk.a if talk.by_a else talk.b)} initiated"
    else:
        who = "together in group interactions"
    copied = sum(c for _, _, c in talk.types)
    copies = f", {copied} only as copy" if copied else ""
    return f"{what}, last {talk.last.isoformat()}, {who}{copies} ({_source_text(talk.sources)})"


def _times(count: int) -> str:
    return "once" if count == 1 else "twice" if count == 2 else f"{count} times"


def _worked(work: WorkEvidence, companies: dict[str, Company]) -> str:
    company = companies[work.company_id].name if work.company_id in companies else work.company_id
    start = str(work.start.year) if work.start else None
    if work.end is None:
        span = f"since {start}" if start else "now"
    else:
        span = f"{start}-{work.end.year}" if start and start != str(work.end.year) else f"in {work.end.year}"
    now = work.end is None
    if work.relation == "board":
        what = f"{'sit' if now else 'sat'} on the board of {company} together"
    elif work.relation == "association":
        what = f"{'are' if now else 'were'} members of {company} together"
    else:
        what = f"{'work' if now else 'worked'} together at {company}"
    department = f" in {work.department}" if work.department else ""
    source = f" ({_source_text([work.source])})" if work.source else ""
    return f"{what} {span}{department}{source}"


def _referred(referral: ReferralEvidence, G: nx.Graph) -> str:
    def name(person: str | None) -> str:
        return G.nodes[person]["name"] if person in G else str(person)

    year = referral.on.year
    if referral.relation == "referred":
        to = f" to {name(referral.to)}" if referral.to else " to us"
        text = f"{name(referral.referrer)} referred {name(referral.referred)}{to} in {year}"
    elif referral.relation == "introduced":
        text = f"introduced by {name(referral.referrer)} in {year}"
    else:
        text = f"{name(referral.referrer)} referred {name(referral.referred)} to {name(referral.to)} in {year}"
    return f"{text} ({_source_text([referral.source])})"


def _tied(tie: TieEvidence) -> str:
    rated = f", rated {tie.rated:.2f}" if tie.rated is not None else ""
    since = f" since {tie.since.year}" if tie.since else ""
    return f"known as {tie.kind.replace('_', ' ')}{since}{rated} ({_source_text([tie.source])})"


def _source_text(sources: Iterable[str | None]) -> str:
    return "source: " + ", ".join(s.replace("_", " ") for s in sources if s)


def _rank_introducers(G: nx.Graph, result: IntroResult, view: Introductions, viewer: Viewer) -> None:
    """Rank introducers and team members; introducers the viewer may not see (someone's private contacts) are left out."""
    def seen(nodes: list[str]) -> bool:
        return not masked_path(viewer, nodes, tie_owners(G, nodes))[1]

    result.introducers = [
        RankedIntroducer(person=_person(G, i.id), via=_person(G, i.path.nodes[0]), targets=i.targets,
                         score=round(i.path.score, 6))
        for i in view.introducers if seen(i.path.nodes)
    ]
    result.members = [
        RankedMember(person=_person(G, m.id), targets=m.targets, introducers=m.introducers,
                     score=round(m.path.score, 6) if seen(m.path.nodes) else None)
        for m in view.members
    ]
