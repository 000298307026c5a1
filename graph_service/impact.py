"""What one job move means for us: the coverage left behind, and the warm door it opens.

For the company left: who else we know there, per decision layer, and which layers
nobody we know covers any more (the domain's point: when a top person leaves, the
middle-level relationships carry the account). For the company joined: the mover,
our best path to them, and who else we know there.

Our best path is the strongest chain of ties from a team member to the mover, at
most ``MAX_HOPS`` hops. With the projection (the API) it is ``paths.warm_paths`` on
its graph, each hop explained by ``intros.explain_tie``, as for introductions. Without
(a bare store), a chain's strength is the product of its hops' strengths, a hop's
strength as in ``feed.person_ties`` (stored tie and team-visible interactions), and
each hop names the tie and the number of shared interactions.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timezone
from typing import Any

from pydantic import BaseModel

from graph_service.access import Viewer, masked_path, masking_owners, private_note
from graph_service.asof import LAYER_ORDER, Member, PersonRef, members_on, our_ties, position
from graph_service.errors import NotFound
from graph_service.feed import CompanyRef, OurTie, list_all, member_ties, team_from_graph, team_of
from graph_service.model import Employment, JobMove, Tie, Visibility
from graph_service.projection import private_ties, tie_owners
from graph_service.store.base import Store, StoreTx

MAX_HOPS = 3
CONTACTS_PER_LAYER = 5
FANOUT = 50
"""Neighbours of the mover explored for a three-hop path, strongest first."""


class Contact(BaseModel):
    person: PersonRef
    title: str
    layer: str
    seniority: int
    our_strength: float
    via: str | None


class LayerCoverage(BaseModel):
    """One decision layer at one company: how many people, how many we know, the strongest contacts."""

    layer: str
    people: int
    known: int
    contacts: list[Contact]


class Departure(BaseModel):
    company: CompanyRef
    mover_layer: str
    coverage: list[LayerCoverage]
    uncovered: list[str]
    """Buying layers (decision-maker, executor, user/influencer) where we know nobody any more."""


class Hop(BaseModel):
    from_id: str | None
    """None (and ``to_id``): a private contact of ``private_of``, whom only they may name."""
    from_name: str
    to_id: str | None
    to_name: str
    strength: float | None
    """None when the hop is hidden from the caller."""
    why: str
    private_of: str | None = None
    """The owner of the private tie this hop runs over, or that hides one of its persons."""


class WarmPath(BaseModel):
    strength: float | None
    """None when a hop is hidden from the caller."""
    hops: list[Hop]


class WarmDoor(BaseModel):
    company: CompanyRef
    mover: Contact
    path: WarmPath | None
    coverage: list[LayerCoverage]


class Impact(BaseModel):
    move: JobMove
    person: PersonRef
    on: date
    left: Departure
    joined: WarmDoor


def _contact(member: Member) -> Contact:
    return Contact(person=member.person, title=member.position.employment.title, layer=member.position.layer,
                   seniority=member.position.seniority, our_strength=member.our_strength, via=member.via)


def coverage(members: list[Member]) -> list[LayerCoverage]:
    """Per decision layer: people, known people, and the strongest known contacts."""
    result = []
    for layer in LAYER_ORDER:
        here = [m for m in members if m.position.layer == layer and not m.person.internal]
        known = sorted((m for m in here if m.our_strength > 0),
                       key=lambda m: (-m.our_strength, -m.position.seniority, m.person.id))
        result.append(LayerCoverage(layer=layer, people=len(here), known=len(known),
                                    contacts=[_contact(m) for m in known[:CONTACTS_PER_LAYER]]))
    return result


def explain(tx: StoreTx, a: str, b: str) -> str:
    """What a hop from ``a`` to ``b`` rests on: the stored tie and the number of shared interactions."""
    tie_id = Tie(a=a, b=b).id
    tie = tx.get_many("tie", [tie_id]).get(tie_id)
    if tie is None:  # imported with an id of its own
        tie = next((t for t in list_all(tx, "tie", {"person_id": a}) if b in (t.a, t.b)), None)  # type: ignore[attr-defined]
    parts = []
    if tie is not None and tie.visibility == Visibility.team:  # type: ignore[attr-defined]
        strength = f" {tie.strength:.2f}" if tie.strength is not None else ""  # type: ignore[attr-defined]
        parts.append(f"{tie.kind} tie{strength} ({tie.source})")  # type: ignore[attr-defined]
    shared = sum(1 for i in list_all(tx, "interaction", {"person_id": a})
                 if i.visibility == Visibility.team and b in i.persons())
    if shared:
        parts.append(f"{shared} interaction{'s' * (shared != 1)}")
    return ", ".join(parts) or "known"


def best_path(tx: StoreTx, target: str, ours: Mapping[str, OurTie], team: set[str]) -> WarmPath | None:
    """The strongest chain of at most ``MAX_HOPS`` ties from a team member to ``target``."""
    candidates: list[tuple[float, list[str], list[float]]] = []
    if target in ours:
        tie = ours[target]
        candidates.append((tie.strength, [tie.via, target], [tie.strength]))
    around = member_ties(tx, target)
    for n, s in around.items():
        if n in ours and n not in team:
            candidates.append((ours[n].strength * s, [ours[n].via, n, target], [ours[n].strength, s]))
    if MAX_HOPS >= 3:
        for n, s in sorted(around.items(), key=lambda kv: (-kv[1], kv[0]))[:FANOUT]:
            if n in team:
                continue
            for m, s2 in member_ties(tx, n).items():
                if m in ours and m not in team and m != target and m not in around:
                    candidates.append((ours[m].strength * s2 * s, [ours[m].via, m, n, target],
                                       [ours[m].strength, s2, s]))
    if not candidates:
        return None
    strength, chain, strengths = min(candidates, key=lambda c: (-c[0], len(c[1]), c[1]))
    names = {id: p.name for id, p in tx.get_many("person", chain).items()}  # type: ignore[attr-defined]
    hops = [Hop(from_id=a, from_name=names.get(a, a), to_id=b, to_name=names.get(b, b), strength=round(s, 6),
                why=explain(tx, a, b)) for a, b, s in zip(chain, chain[1:], strengths)]
    return WarmPath(strength=round(strength, 6), hops=hops)


def path_in_graph(G: Any, target: str, viewer: Viewer) -> WarmPath | None:
    """Our best path to ``target`` on the projection's graph (``paths.warm_paths``, private ties included), each hop
    explained as ``viewer`` may see it (see ``access.masked_path``)."""
    from graph_service.paths import warm_paths

    sources = [member for member in sorted(G.graph.get("team", ())) if member in G and member != target]
    if target not in G or not sources:
        return None
    with private_ties(G):
        found = warm_paths(G, sources, [target], k=1, max_hops=MAX_HOPS)
        return _explained(G, found[0], viewer) if found else None


def _explained(G: Any, best: Any, viewer: Viewer) -> WarmPath:
    """A path's hops explained as ``viewer`` may see them (inside ``private_ties``: its private hops are edges)."""
    from graph_service.intros import explain_tie

    owners = tie_owners(G, best.nodes)
    hidden_nodes, hidden_hops = masked_path(viewer, best.nodes, owners)

    def name(person: str) -> str:
        return str(G.nodes[person].get("name") or person)

    hops = []
    for i, (hop, owner) in enumerate(zip(best.hops, masking_owners(owners))):
        if i in hidden_hops:
            note = private_note(name(owner) if owner in G else owner)
            hops.append(Hop(from_id=None if i in hidden_nodes else hop.source,
                            from_name=note if i in hidden_nodes else name(hop.source),
                            to_id=None if i + 1 in hidden_nodes else hop.target,
                            to_name=note if i + 1 in hidden_nodes else name(hop.target),
                            strength=None, why=note, private_of=owner))
            continue
        why = "; ".join(explain_tie(G.adj[hop.source][hop.target].evidence, G, hop.source, hop.target))
        hops.append(Hop(from_id=hop.source, from_name=name(hop.source), to_id=hop.target, to_name=name(hop.target),
                        strength=round(hop.strength, 6), why=why, private_of=owners[i]))
    return WarmPath(strength=None if hidden_hops else round(best.strength, 6), hops=hops)


def get(*, store: Store, move_id: str, viewer: Viewer, on: date | None = None, projection: Any | None = None) -> Impact:
    """The impact of one move, with coverage read as of ``on`` (default: today), as ``viewer`` may see it.

    With ``projection`` (a ``projection.Projection`` of the store), our ties and the
    best path come from its graph, as everywhere else in the API (the path may run
    over private ties); without, they are worked out from the stored team-visible
    ties and interactions around the people concerned.
    """
    day = on or datetime.now(timezone.utc).date()
    from_graph: tuple[dict[str, OurTie], WarmPath | None] | None = None
    if projection is not None:
        mover = store.read(lambda tx: tx.get_many("move", [move_id])).get(move_id)
        if mover is None:
            raise NotFound("move", move_id)
        with projection.current() as G:
            ours_in_graph, _ = team_from_graph(G)
            from_graph = (ours_in_graph, path_in_graph(G, mover.person_id, viewer))  # type: ignore[attr-defined]

    def run(tx: StoreTx) -> Impact:
        found = tx.get_many("move", [move_id])
        if move_id not in found:
            raise NotFound("move", move_id)
        move: JobMove = found[move_id]  # type: ignore[assignment]
        if from_graph is None:
            team = team_of(tx)
            ours = our_ties(tx)
            path = best_path(tx, move.person_id, ours, team)
        else:
            ours, path = from_graph
        person = tx.get_many("person", [move.person_id]).get(move.person_id)
        mover_ref = PersonRef(id=move.person_id, name=person.name if person else move.person_id,  # type: ignore[attr-defined]
                              internal=bool(person and person.internal))  # type: ignore[attr-defined]
        left = [m for m in members_on(tx, move.from_company_id, day, ours) if m.person.id != move.person_id]
        joined = [m for m in members_on(tx, move.to_company_id, day, ours) if m.person.id != move.person_id]
        left_cov, joined_cov = coverage(left), coverage(joined)
        companies = {id: c for id, c in tx.get_many("company", [move.from_company_id, move.to_company_id]).items()}

        def ref(id: str) -> CompanyRef:
            company = companies.get(id)
            return CompanyRef(id=id, name=company.name if company else id,  # type: ignore[attr-defined]
                              status=company.status if company else "other")  # type: ignore[attr-defined]

        employment: Employment | None = tx.get_many("employment", [move.to_employment_id]).get(move.to_employment_id)  # type: ignore[assignment]
        tie = ours.get(move.person_id)
        if employment is not None:
            held = position(employment, ref(move.to_company_id))
            title, layer, seniority = employment.title, held.layer, held.seniority
        else:
            title, layer, seniority = move.to_title, move.to_layer, 3
        mover = Contact(person=mover_ref, title=title, layer=layer, seniority=seniority,
                        our_strength=tie.strength if tie else 0.0, via=tie.via if tie else None)
        return Impact(
            move=move, person=mover_ref, on=day,
            left=Departure(company=ref(move.from_company_id), mover_layer=move.from_layer, coverage=left_cov,
                           uncovered=[c.layer for c in left_cov if c.layer != "unknown" and c.known == 0]),
            joined=WarmDoor(company=ref(move.to_company_id), mover=mover, path=path, coverage=joined_cov),
        )

    return store.read(run)
