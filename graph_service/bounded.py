"""Bounded projections: the graph around one query's ends, read from the store, for graphs larger than memory.

A :class:`~graph_service.projection.Projection` holds the whole graph. A
:class:`BoundedProjection` holds nothing between queries: for each warm-path
query or account map it reads from the store only the neighbourhoods the
answer can depend on, builds them with the projection's own builder
(``projection.build_graph``: the same nodes, edge data and strengths), and the
unchanged networkx code (``paths.warm_paths``, ``accounts.build_map``) runs on
that subgraph. Selected with ``SGRAPH_PROJECTION_MODE=bounded``.

Which neighbourhoods
--------------------
A path of at most ``H`` hops from a source to a target has every tie incident to
a person within ``a - 1`` ties of the sources or within ``b - 1`` ties of the
targets whenever ``a + b >= H`` (its ``i``-th tie starts at most ``i`` from the
sources and ends at most ``H - i - 1`` from the targets). So the expansion is
bidirectional: level by level, from the sources' side or the targets' side
(the side with the smaller frontier; the targets' side first, so that every
target's ties are known), until ``a + b = H`` or a side has nobody left to
expand. Expanding a person reads every tie, interaction, referral and
employment naming them (``StoreTx.neighbourhood``) and, at each company they
worked at, the employments their colleague pairs depend on
(``StoreTx.employments_at``): all of them at a small company or for a board
seat, else their whole departments; with the company's sizes
(``StoreTx.company_sizes``) the colleague caps come out as in the full graph.
The persons next to the expanded ones are found in the links of the level's
records alone (``build_graph(links_only=True)``: who the records tie, nothing
weighed; a pair whose evidence weighs nothing only makes the expansion larger).

Exactness
---------
Every tie between an expanded person and anyone has all of its evidence, so it
has the strength and evidence the full projection gives it; ties between two
persons neither of whom was expanded are dropped (their evidence may be
partial). The labels and bounds of ``paths`` only ever follow walks whose ties
all lie in that set, so warm paths, introducer rankings, and an account map's
coverage, hop counts, internal influence and next steps are those of the full
projection. The team, the named persons and the target and avoided companies'
current employees are read in full.

Only the pairs a walk can use
-----------------------------
Only the pairs a walk from the ends can use are weighed (``build_graph(among=...)``):
a person who is not an end nor next to one and not expanded, with a known tie
to one expanded person only, can be neither inside a path (their other ties are
dropped) nor at its end, so their one tie is left out. Far from the ends most neighbours are such
dead ends: at 50k persons this halves the CPU time of a query.

Hubs
----
A person beyond the ends with more than ``hub_degree`` ties, interactions and
referrals (``StoreTx.degrees``: Neo4j reads relationship counts without a
traversal) is not expanded: their ties to expanded persons are kept, their own
neighbourhood is not read. That bounds the memory and time of a query whatever
the graph's size; a path whose only way runs through two ties of such a hub
(neither neighbour expanded) is not found. The sources and targets are always
expanded. With ``hub_degree`` above the largest degree, answers equal the full
projection's exactly.

Not bounded
-----------
PageRank, brokers and industry figures rank the whole graph: they need the full
projection (``/influencers`` answers 409 in bounded mode), as do the move
feed's impact view and the graph views, which keep building the full projection
in the process that serves them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

import networkx as nx

from graph_service import collector
from graph_service.errors import Conflict, one_person_named
from graph_service.projection import KINDS, Company, Projection, build_graph, company_scale, interaction_pairs, is_board, referral_links
from graph_service.settings import Settings
from graph_service.store.base import Store, StoreTx, scan_all
from graph_service.strength import DEFAULT_WEIGHTS, StrengthWeights

if TYPE_CHECKING:
    from graph_service.intros import IntroRequest

PAGE = 10_000


@dataclass
class Expansion:
    """What one bounded graph was built from: ``G.graph["bounded"]``."""

    expanded: set[str] = field(default_factory=set)
    """Persons whose every tie to a ``passable`` person is in the graph."""
    passable: set[str] = field(default_factory=set)
    """Persons whose pairs were weighed: the ends, their neighbours, the expanded, and the persons
    next to two expanded ones at least (see "Only the pairs a walk can use")."""
    hubs: set[str] = field(default_factory=set)
    """Persons reached but not expanded: more than ``hub_degree`` records."""
    levels: list[tuple[str, int]] = field(default_factory=list)
    """``("sources" | "targets", persons expanded)`` per level, in order."""
    records: int = 0
    """Records read from the store."""


class BoundedProjection:
    """Graphs around queries, read from the store on demand (see the module docstring).

    Parameters
    ----------
    store : Store
    weights : StrengthWeights
    today : date, optional
        The day recency is measured from; default: the day of each query.
    colleagues : int
        At large companies, the colleagues each employment is paired with (as ``Projection``).
    hub_degree : int
        Persons beyond the ends with more ties, interactions and referrals than this are not expanded.
    """

    def __init__(self, store: Store, *, weights: StrengthWeights = DEFAULT_WEIGHTS, today: date | None = None,
                 colleagues: int = 3, hub_degree: int = 10_000) -> None:
        self.store = store
        self.weights = weights
        self._today = today
        self.colleagues = colleagues
        self.hub_degree = hub_degree

    @property
    def today(self) -> date:
        return self._today or date.today()

    @property
    def seq(self) -> int:
        """The store's last change: what a graph built now reflects (a key for caches)."""
        return self.store.read(lambda tx: tx.last_change())

    def graph(self, *, sources: Iterable[str] | None, targets: Iterable[str] = (), target_companies: Iterable[str] = (),
              companies: Iterable[str] = (), persons: Iterable[str] = (), hops: int) -> nx.Graph:
        """The graph around a query, in one read transaction.

        Parameters
        ----------
        sources : iterable of str, or None
            Where paths start; None: the team (every person marked internal).
        targets : iterable of str
            Where paths end.
        target_companies : iterable of str
            Their current employees are targets too.
        companies : iterable of str
            Companies whose current employees must all be known (``G.graph["employees"]``), e.g. to avoid them.
        persons : iterable of str
            Other persons the caller names (they are nodes, not expanded).
        hops : int
            The longest path asked for.

        Returns
        -------
        networkx.Graph
            As ``projection.build_graph`` makes it, with ``G.graph["bounded"]``: the :class:`Expansion`.
            Unknown ids are simply not in it.
        """
        ends = (None if sources is None else sorted(set(sources)), sorted(set(targets)), sorted(set(target_companies)),
                sorted(set(companies)), sorted(set(persons)))
        with collector.paused():  # tens of thousands of records and two graphs, no garbage cycles
            return self.store.read(lambda tx: _Reader(self, tx).graph(*ends, hops=hops))

    @contextmanager
    def around(self, **ends: Any) -> Iterator[nx.Graph]:
        """:meth:`graph` as a context manager, like ``Projection.current``."""
        yield self.graph(**ends)

    def find_person(self, name: str) -> str:
        """The id of the one person with this name (exact, any case), read page by page from the store.

        Raises NotFound, or InvalidInput when several persons have the name (as ``intros.find_person``).
        """
        wanted = name.strip().casefold()
        return one_person_named(name, sorted((raw["id"], raw["name"]) for raw in scan_all(self.store, "person", PAGE)
                                             if raw["name"].casefold() == wanted))

    def has_person(self, person_id: str) -> bool:
        return bool(self.store.read(lambda tx: tx.existing_ids("person", [person_id])))


def _by_id(raw: Mapping[str, Any]) -> str:
    return raw["id"]


class _Reader:
    """The records of one bounded graph, read level by level inside one transaction."""

    def __init__(self, projection: BoundedProjection, tx: StoreTx) -> None:
        self.projection = projection
        self.tx = tx
        self.rows: dict[str, dict[str, dict[str, Any]]] = {kind: {} for kind in KINDS}
        self.sizes: dict[str, tuple[int, int]] = {}
        self.groups: dict[str, set[str] | None] = {}  # company -> departments read (None: every employment)
        self.neighbours: dict[str, set[str]] = {}
        self.info = Expansion()

    # -- building ------------------------------------------------------------------------
    def build(self, rows: Mapping[str, Iterable[Mapping[str, Any]]], *, links_only: bool = False,
              among: Collection[str] | None = None) -> nx.Graph:
        p = self.projection
        ordered = {kind: sorted(records, key=_by_id) for kind, records in rows.items()}  # as a scan reads them
        return build_graph(ordered, weights=p.weights, today=p.today, colleagues=p.colleagues, sizes=self.sizes,
                           links_only=links_only, among=among)

    def graph(self, sources: list[str] | None, targets: list[str], target_companies: list[str], companies: list[str],
              persons: list[str], *, hops: int) -> nx.Graph:
        if sources is None:
            sources = self.team()
        self.persons([*sources, *targets, *persons])
        self.employers(target_companies + companies)
        frame = self.build({kind: list(rows.values()) for kind, rows in self.rows.items()}, links_only=True)
        employees = frame.graph["employees"]
        ends_s = {p for p in sources if p in frame}
        ends_t = {p for p in targets if p in frame} | {p for c in target_companies for p in employees.get(c, ())}
        self.expand(ends_s, ends_t, hops)
        kept = {*ends_s, *ends_t, *persons, *(p for c in companies for p in employees.get(c, ()))}
        self.info.passable = self.passable(kept)
        G = self.build({kind: list(rows.values()) for kind, rows in self.rows.items()}, among=self.info.passable)
        self.prune(G)
        G.graph["bounded"] = self.info
        return G

    def passable(self, ends: set[str]) -> set[str]:
        """The persons a path or a breadth-first walk from the ends can use: the ends and their neighbours
        (whose number explains an empty answer), the expanded, and the others next to two expanded persons
        at least (one known tie is a dead end)."""
        expanded = self.info.expanded
        near = Counter(q for p in expanded for q in self.neighbours.get(p, ()) if q not in expanded)
        beside = {q for p in ends for q in self.neighbours.get(p, ())}
        return ends | beside | expanded | {q for q, n in near.items() if n >= 2}

    def prune(self, G: nx.Graph) -> None:
        """Drop the ties between persons neither of whom was expanded: their evidence may be partial."""
        expanded, adj = self.info.expanded, G._adj
        partial = [(p, q) for p, around in adj.items() if p not in expanded for q in around if q not in expanded and p < q]
        G.remove_edges_from(partial)
        private = G.graph.get("private")
        if private:
            for key in [key for key in private if key[0] not in expanded and key[1] not in expanded]:
                del private[key]

    # -- the ends --------------------------------------------------------------------------
    def team(self) -> list[str]:
        team, after = [], None
        while True:
            page = self.tx.list("person", after=after, limit=PAGE, filters={"internal": True})
            for record in page:
                self.rows["person"][record.id] = record.model_dump(mode="json")
                team.append(record.id)
            if len(page) < PAGE:
                return team
            after = page[-1].id

    def persons(self, ids: Iterable[str]) -> None:
        missing = [id for id in dict.fromkeys(ids) if id not in self.rows["person"]]
        if missing:
            for raw in self.tx.raw("person", missing):
                self.rows["person"][raw["id"]] = raw
            self.info.records += len(missing)

    def companies(self, ids: Iterable[str]) -> None:
        missing = [id for id in dict.fromkeys(ids) if id not in self.rows["company"]]
        if missing:
            for raw in self.tx.raw("company", missing):
                self.rows["company"][raw["id"]] = raw
            missing = [id for id in missing if id not in self.sizes]
            self.sizes.update(self.tx.company_sizes(missing))

    def employers(self, ids: list[str]) -> None:
        """Every employment at these companies (so their current employees are all known)."""
        self.companies(ids)
        wanted = {id: None for id in ids if id in self.rows["company"] and self.groups.get(id, ()) is not None}
        if wanted:
            self.employments(self.tx.employments_at(wanted))
            self.groups.update(wanted)

    def employments(self, records: list[dict[str, Any]]) -> None:
        rows = self.rows["employment"]
        for raw in records:
            rows[raw["id"]] = raw
        self.info.records += len(records)
        self.persons(raw["person_id"] for raw in records)
        self.companies(raw["company_id"] for raw in records)

    # -- expanding ---------------------------------------------------------------------------
    def expand(self, sources: set[str], targets: set[str], hops: int) -> None:
        """Expand level by level from the smaller side until ``a + b = hops`` (see the module docstring)."""
        seen = {"sources": dict.fromkeys(sources, 0), "targets": dict.fromkeys(targets, 0)}
        fronts = {"sources": set(sources), "targets": set(targets)}
        depth = {"sources": 0, "targets": 0}
        while depth["sources"] + depth["targets"] < hops and fronts["sources"] and fronts["targets"]:
            side = "targets" if depth["targets"] == 0 or len(fronts["targets"]) <= len(fronts["sources"]) else "sources"
            front = fronts[side]
            self.level(front, capped=depth[side] > 0)
            self.info.levels.append((side, len(front)))
            depth[side] += 1
            known, grown = seen[side], set()
            for person in front:
                for other in self.neighbours.get(person, ()):
                    if other not in known:
                        known[other] = depth[side]
                        grown.add(other)
            fronts[side] = grown

    def level(self, front: Collection[str], *, capped: bool) -> None:
        """Read the neighbourhoods of the persons of one frontier not expanded yet; hubs beyond the ends stay closed."""
        new = [p for p in front if p not in self.info.expanded and p not in self.info.hubs]
        if capped and new:
            degrees = self.tx.degrees(new)
            cap = self.projection.hub_degree
            self.info.hubs.update(p for p in new if degrees.get(p, 0) > cap)
            new = [p for p in new if degrees.get(p, 0) <= cap]
        if not new:
            return
        found = self.tx.neighbourhood(new)
        own = found["employment"]
        self.employments(own)
        groups = self.colleague_groups(own)
        local = {kind: found[kind] for kind in ("tie", "interaction", "referral")}
        for kind, records in local.items():
            rows = self.rows[kind]
            for raw in records:
                rows[raw["id"]] = raw
            self.info.records += len(records)
        self.persons(self.named(local))
        self.info.expanded.update(new)
        # the new persons' neighbours: in the links of this level's records alone (their ties are complete in it)
        named = set(new) | set(self.named(local)) | {raw["person_id"] for raw in own + groups}
        rows = self.rows
        G = self.build({"person": [rows["person"][p] for p in named if p in rows["person"]],
                        "company": list(rows["company"].values()), "employment": own + groups, **local},
                       links_only=True)
        for person in new:
            self.neighbours[person] = set(G._adj.get(person, ()))

    def colleague_groups(self, own: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The employments the colleague pairs of these employments depend on (see the module docstring)."""
        wanted: dict[str, set[str] | None] = {}
        for raw in own:
            company_id = raw["company_id"]
            company = self.rows["company"].get(company_id)
            known = None if company is None else Company(company["name"], company.get("employees"),
                                                        company.get("status") or "other")
            _, small = company_scale(known, *self.sizes.get(company_id, (0, 0)), weights=self.projection.weights)
            title, department = raw.get("title") or "", raw.get("department") or ""
            if small or is_board(title, department):
                wanted[company_id] = None
            elif department and wanted.get(company_id, set()) is not None:
                wanted.setdefault(company_id, set()).add(department)  # type: ignore[union-attr]
        ask: dict[str, list[str] | None] = {}
        for company_id, departments in wanted.items():  # groups not read yet
            have = self.groups.get(company_id, set())
            if have is None:
                continue
            if departments is None:
                ask[company_id] = None
            elif departments - have:
                ask[company_id] = sorted(departments - have)
        if not ask:
            return [raw for raw in self.rows["employment"].values() if self._in_group(raw, wanted)]
        found = self.tx.employments_at(ask)
        for company_id, departments in ask.items():
            self.groups[company_id] = None if departments is None else self.groups.get(company_id, set()) | set(departments)  # type: ignore[operator]
        self.employments(found)
        return [raw for raw in self.rows["employment"].values() if self._in_group(raw, wanted)]

    def _in_group(self, raw: Mapping[str, Any], wanted: Mapping[str, set[str] | None]) -> bool:
        """Whether an employment read so far is in one of the wanted groups (every one read, not only new ones)."""
        company_id = raw["company_id"]
        if company_id not in wanted:
            return False
        departments = wanted[company_id]
        return departments is None or self.groups.get(company_id) is None or (raw.get("department") or "") in departments

    def named(self, records: Mapping[str, list[dict[str, Any]]]) -> list[str]:
        """Every person the ties, interactions and referrals name (in any pair they make)."""
        persons: set[str] = set()
        for raw in records.get("tie", ()):
            persons.update((raw["a"], raw["b"]))
        max_group = self.projection.weights.max_group
        for raw in records.get("interaction", ()):
            persons.update(p for pair in interaction_pairs(raw, max_group) for p in pair[:2])
        for raw in records.get("referral", ()):
            persons.update(p for link in referral_links(raw) for p in link[:2])
        return sorted(persons)


# -- glue: which projection a query runs on ---------------------------------------------------------

QueryProjection = Projection | BoundedProjection


def query_projection(store: Store, settings: Settings, *, weights: StrengthWeights = DEFAULT_WEIGHTS) -> QueryProjection:
    """The projection warm paths and account maps run on: full, or bounded (``settings.projection_mode``)."""
    if settings.projection_mode == "bounded":
        return BoundedProjection(store, weights=weights, hub_degree=settings.bounded_hub_degree)
    return Projection(store, weights=weights)


def intro_graph(projection: QueryProjection, request: "IntroRequest") -> AbstractContextManager[nx.Graph]:
    """The graph a warm-path request runs on: the whole projection, or the neighbourhood of its ends."""
    if isinstance(projection, Projection):
        return projection.current()
    return projection.around(
        sources=request.sources or None, targets=[request.person_id] if request.person_id else [],
        target_companies=[request.company_id] if request.company_id else [], companies=request.avoid_companies,
        persons=request.avoid_persons, hops=request.max_hops)


def full_only(projection: QueryProjection, what: str) -> Projection:
    """The full projection, or Conflict: ``what`` ranks the whole graph and bounded mode has no whole graph."""
    if isinstance(projection, Projection):
        return projection
    raise Conflict(f"{what} needs the whole graph: set SGRAPH_PROJECTION_MODE=full")

