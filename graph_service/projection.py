"""The relationship graph in memory: persons, ties with strength and evidence, following the store.

The graph
---------
An undirected ``networkx.Graph`` of person ids.

- Node attributes: ``name``, ``internal`` (on our team), ``jobs``: the current
  employments as :class:`Job` (a missing decision layer is inferred from the title
  and department with ``layers.layer_of``, a missing seniority with ``layers.seniority_of``).
- Edge data: :class:`EdgeData`, a compact read-only mapping with ``strength`` (see
  ``strength.tie_strength``), ``cost`` (``paths.cost_of(strength)``), ``last`` (the
  newest evidence's day) and ``evidence`` (plain dicts, rendered on access).
- ``G.graph["companies"]``: ``{company id: Company(name, staff, status)}``;
  ``G.graph["team"]``: the set of persons on our team; ``G.graph["employees"]``:
  ``{company id: set of persons currently employed there}``; ``G.graph["private"]``:
  the private ties (below).

Evidence, per pair
------------------
Ties
    Team-visible stored ties; of several ties between one pair, the strongest
    rating counts. Private ties are kept aside in ``G.graph["private"]`` (a pair's
    strongest, as edge data whose tie names its ``owner``) and take part only in
    path finding, inside :func:`private_ties`; hidden ties are left out.
Interactions
    Team-visible ones. The initiator is paired with each participant (direct) and
    each copied person (copied). Participants are paired with each other when the
    interaction has no initiator or is not an email, and has at most
    ``weights.max_group`` persons: an email to fifty people does not make them
    acquainted, a meeting of five does.
Colleagues, board seats, associations
    Employments at the same company that overlap in time. A company's employees
    would give every pair (5,000 people: 12.5 million pairs), so: at a company of
    at most ``weights.small_company`` staff (stated ``employees``, else the persons
    known there) everyone is paired; at a larger one only employments in the same
    non-empty department are, each with at most ``colleagues`` colleagues who joined
    next after it. Board seats (department or title naming the board) pair with
    each other the same way; at a company whose status is ``association`` the
    relation is ``association``.
Referrals
    The referrer and the person referred; with a ``to_id``, also the person
    referred and the one they were referred to, and the referrer and that person.

Following the store
-------------------
A :class:`Projection` remembers the change-feed sequence number it reflects.
:meth:`Projection.current` first applies every change committed since (in this or
any other process) and then hands out the graph under a lock, so a write is
visible to the very next query everywhere, at the cost of one ``changes_since``
read per query. Upserts of persons, companies, employments, ties, interactions and
referrals are applied in place: the touched pairs' evidence is read again from the
store and their strength recomputed. Deletes other than of persons, and batches
of more than ``rebuild_after`` changed ids, rebuild the graph from a full scan.

Memory
------
At a million persons and ten million ties every byte per edge counts. Edge data
are not dicts but :class:`EdgeData`, one immutable ``bytes`` buffer per edge
holding the cost, the newest day and the evidence packed with ``struct`` (enums
as their index, dates as ordinals): about 70 bytes for a stored tie alone, where
a dict of Python objects takes several hundred. Evidence is unpacked only when
read. A change to a pair's evidence replaces its buffer.
"""

from __future__ import annotations

import gc
import itertools
import math
import struct
import sys
import threading
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Collection, Hashable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from types import MappingProxyType
from typing import Any, NamedTuple, TypeVar

import networkx as nx
import numpy as np

from graph_service import collector
from graph_service.influence import Adjacency, adjacency, patched
from graph_service.layers import infer_layer, seniority_of
from graph_service.model import DecisionLayer, InteractionType, ReferralOutcome, Source, TieKind, content_id
from graph_service.paths import COST_SCALE, cost_of
from graph_service.store.base import Change, Store, StoreTx, scan_all
from graph_service.strength import (
    DEFAULT_WEIGHTS,
    Evidence,
    PairEvidence,
    ReferralEvidence,
    StrengthWeights,
    TalkEvidence,
    TieEvidence,
    WorkEvidence,
    evidence_dicts,
    last_evidence,
    tie_strength,
)

KINDS = ("person", "company", "employment", "tie", "interaction", "referral")
"""The kinds the graph is built from, in the order they are read."""
BOARD_DEPARTMENTS = frozenset({"board", "board of directors", "董事会"})
PAGE = 10_000


class Company(NamedTuple):
    name: str
    staff: int | None
    status: str


class Job(NamedTuple):
    """A current employment of a person, as a node attribute."""

    company_id: str
    title: str
    department: str
    decision_layer: str
    seniority: int
    start: date | None


# -- edge data: evidence packed in one buffer ---------------------------------------------------

_HEAD = struct.Struct("<II")  # cost in micro-nats, newest day (ordinal, 0: none)
_COST_BYTES = slice(0, 4)  # the cost, in an edge's buffer
_TIE = struct.Struct("<BdBBI")  # tag, rating (NaN: none), kind, source, since
_TALK = struct.Struct("<BIIIIBB")  # tag, by a, by b, first, last, types, sources; then types, sources, a, b
_TYPE = struct.Struct("<BII")  # type, direct, copied
_WORK = struct.Struct("<BBIIIB")  # tag, relation, start, end, staff, source; then company, department
_REFERRAL = struct.Struct("<BBIBB")  # tag, relation, on, outcome, source; then id, referrer, referred, to
_TEXT = struct.Struct("<H")
TIE, TALK, WORK, REFERRAL, PRIVATE_TIE = 1, 2, 3, 4, 5
NO_SOURCE = 255
_NAMES: dict[str, tuple[str, ...]] = {
    "kind": tuple(k.value for k in TieKind),
    "source": tuple(s.value for s in Source),
    "type": tuple(t.value for t in InteractionType),
    "work": ("colleague", "board", "association"),
    "referral": ("referred", "introduced", "referred_to"),
    "outcome": tuple(o.value for o in ReferralOutcome),
}
_CODES = {field: {name: i for i, name in enumerate(names)} for field, names in _NAMES.items()}


def _day(ordinal: int) -> date | None:
    return date.fromordinal(ordinal) if ordinal else None


def _ordinal(day: date | None) -> int:
    return day.toordinal() if day else 0


def _text(value: str) -> bytes:
    data = value.encode()
    return _TEXT.pack(len(data)) + data


def _read_text(buffer: memoryview, at: int) -> tuple[str, int]:
    (size,) = _TEXT.unpack_from(buffer, at)
    at += _TEXT.size
    return str(buffer[at:at + size], "utf-8"), at + size


def pack(evidence: PairEvidence) -> bytes:
    """The evidence of a pair as bytes: one record per piece, in the order of ``PairEvidence``."""
    code = _CODES
    parts = []
    if evidence.tie is not None:
        tie = evidence.tie
        parts.append(_TIE.pack(TIE if tie.owner is None else PRIVATE_TIE, math.nan if tie.rated is None else tie.rated,
                               code["kind"][tie.kind], code["source"][tie.source], _ordinal(tie.since)))
        if tie.owner is not None:
            parts.append(_text(tie.owner))
    if evidence.talk is not None:
        talk = evidence.talk
        parts.append(_TALK.pack(TALK, talk.by_a, talk.by_b, _ordinal(talk.first), _ordinal(talk.last),
                                len(talk.types), len(talk.sources)))
        parts += [_TYPE.pack(code["type"][t], direct, copied) for t, direct, copied in talk.types]
        parts += [bytes(code["source"][s] for s in talk.sources), _text(talk.a), _text(talk.b)]
    for work in evidence.work:
        parts += [_WORK.pack(WORK, code["work"][work.relation], _ordinal(work.start), _ordinal(work.end), work.staff,
                             code["source"].get(work.source or "", NO_SOURCE)),
                  _text(work.company_id), _text(work.department)]
    for ref in evidence.referrals:
        parts += [_REFERRAL.pack(REFERRAL, code["referral"][ref.relation], _ordinal(ref.on), code["outcome"][ref.outcome],
                                 code["source"][ref.source]),
                  _text(ref.id), _text(ref.referrer), _text(ref.referred), _text(ref.to or "")]
    return b"".join(parts)


def unpack(buffer: memoryview) -> PairEvidence:
    """The evidence :func:`pack` packed."""
    names = _NAMES
    tie = talk = None
    work: list[WorkEvidence] = []
    referrals: list[ReferralEvidence] = []
    at, end = 0, buffer.nbytes
    while at < end:
        tag = buffer[at]
        if tag in (TIE, PRIVATE_TIE):
            _, rated, kind, source, since = _TIE.unpack_from(buffer, at)
            at += _TIE.size
            owner = None
            if tag == PRIVATE_TIE:
                owner, at = _read_text(buffer, at)
            tie = TieEvidence(None if math.isnan(rated) else rated, names["kind"][kind], names["source"][source],
                              _day(since), owner)
        elif tag == TALK:
            _, by_a, by_b, first, last, n_types, n_sources = _TALK.unpack_from(buffer, at)
            at += _TALK.size
            types = []
            for _ in range(n_types):
                kind, direct, copied = _TYPE.unpack_from(buffer, at)
                types.append((names["type"][kind], direct, copied))
                at += _TYPE.size
            sources = tuple(names["source"][i] for i in buffer[at:at + n_sources])
            a, at = _read_text(buffer, at + n_sources)
            b, at = _read_text(buffer, at)
            talk = TalkEvidence(a, b, by_a, by_b, _day(first), _day(last), tuple(types), sources)  # type: ignore[arg-type]
        elif tag == WORK:
            _, relation, start, stop, staff, source = _WORK.unpack_from(buffer, at)
            company, at = _read_text(buffer, at + _WORK.size)
            department, at = _read_text(buffer, at)
            work.append(WorkEvidence(company, names["work"][relation], _day(start), _day(stop), department, staff,
                                     None if source == NO_SOURCE else names["source"][source]))
        else:
            _, relation, on, outcome, source = _REFERRAL.unpack_from(buffer, at)
            id, at = _read_text(buffer, at + _REFERRAL.size)
            referrer, at = _read_text(buffer, at)
            referred, at = _read_text(buffer, at)
            to, at = _read_text(buffer, at)
            referrals.append(ReferralEvidence(id, names["referral"][relation], referrer, referred, to or None,
                                              _day(on), names["outcome"][outcome], names["source"][source]))  # type: ignore[arg-type]
    return PairEvidence(tie, talk, tuple(work), tuple(referrals))


class EdgeData(bytes, Mapping[str, Any]):
    """A tie of the graph: a read-only mapping with ``strength``, ``cost``, ``last`` and ``evidence``.

    One immutable buffer: the integer cost, the newest evidence's day, then the
    evidence packed by :func:`pack`. ``data["evidence"]`` renders it as plain dicts.
    """

    __slots__ = ()
    KEYS = ("strength", "cost", "last", "evidence")

    @classmethod
    def of(cls, evidence: PairEvidence, cost: int = 0, last: date | None = None) -> "EdgeData":
        return cls(_HEAD.pack(cost, _ordinal(last)) + pack(evidence))

    def weighed(self, cost: int, last: date | None) -> "EdgeData":
        """The same evidence with a new cost and newest day."""
        return type(self)(_HEAD.pack(cost, _ordinal(last)) + memoryview(self)[_HEAD.size:])

    @property
    def cost(self) -> int:
        return _HEAD.unpack_from(self)[0]

    @staticmethod
    def cost_plus(penalty: int) -> Callable[["EdgeData"], int]:
        """A reader of ``data["cost"] + penalty`` in one call: a path search's innermost step, millions a second."""
        unpack = _HEAD.unpack_from

        def cost(data: EdgeData) -> int:
            return unpack(data)[0] + penalty
        return cost

    @property
    def last(self) -> date | None:
        return _day(_HEAD.unpack_from(self)[1])

    @property
    def strength(self) -> float:
        return math.exp(-self.cost / COST_SCALE)

    @property
    def evidence(self) -> PairEvidence:
        return unpack(memoryview(self)[_HEAD.size:])

    @staticmethod
    def column(edges: Iterable["EdgeData"], key: str) -> np.ndarray:
        """``strength`` or ``cost`` of many edges at once, as one array (a Python call per edge costs more)."""
        if key not in ("strength", "cost"):
            raise KeyError(key)
        heads = map(bytes.__getitem__, edges, itertools.repeat(_COST_BYTES))
        costs = np.frombuffer(b"".join(heads), dtype="<u4")
        return np.exp(costs / -COST_SCALE) if key == "strength" else costs.astype(np.int64)

    def __getitem__(self, key: str) -> Any:  # type: ignore[override]
        if key == "cost":
            return _HEAD.unpack_from(self)[0]
        if key == "strength":
            return self.strength
        if key == "last":
            return self.last
        if key == "evidence":
            return evidence_dicts(self.evidence)
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:  # type: ignore[override]
        return iter(self.KEYS)

    def __len__(self) -> int:
        return len(self.KEYS)

    def __contains__(self, key: object) -> bool:
        return key in self.KEYS

    def __repr__(self) -> str:
        return f"EdgeData(cost={self.cost}, last={self.last}, evidence={self.evidence})"


NO_EVIDENCE = PairEvidence()


class _Days:
    """Days parsed once: from ISO date or datetime strings, dates, or datetimes (taken as UTC)."""

    def __init__(self) -> None:
        self._days: dict[Any, date] = {}

    def __call__(self, value: Any) -> date | None:
        if value is None:
            return None
        key = value[:10] if isinstance(value, str) else value.date() if isinstance(value, datetime) else value
        found = self._days.get(key)
        if found is None:
            found = self._days[key] = date.fromisoformat(key) if isinstance(key, str) else key
        return found


# -- evidence from raw records ------------------------------------------------------------


def interaction_pairs(raw: Mapping[str, Any], max_group: int) -> list[tuple[str, str, bool, str | None]]:
    """The pairs an interaction links, as ``(p, q, copied, initiator)`` (see the module docstring)."""
    initiator = raw.get("initiator")
    participants = sorted(set(raw["participants"]) - {initiator})
    copied = sorted(set(raw.get("cc") or ()) - set(participants) - {initiator})
    pairs: list[tuple[str, str, bool, str | None]] = []
    if initiator:
        pairs += [(initiator, p, False, initiator) for p in participants]
        pairs += [(initiator, c, True, initiator) for c in copied]
    group = len(participants) + len(copied) + (1 if initiator else 0)
    if (not initiator or raw["type"] != "email") and group <= max_group:
        pairs += [(p, q, False, None) for i, p in enumerate(participants) for q in participants[i + 1:]]
    return pairs


def referral_links(raw: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """The pairs a referral links, as ``(p, q, relation)``."""
    referrer, referred, to = raw["referrer_id"], raw["referred_id"], raw.get("to_id")
    links = [(referrer, referred, "referred")]
    if to and to not in (referrer, referred):
        links += [(referred, to, "introduced"), (referrer, to, "referred_to")]
    return links


def is_board(title: str, department: str) -> bool:
    """Whether an employment is a board seat: the department is the board, or the title names it."""
    return department.strip().lower() in BOARD_DEPARTMENTS or "board" in title.lower() or "董事" in title


class _Stint(NamedTuple):
    person: str
    start: date | None
    end: date | None
    department: str
    board: bool
    source: str | None


def company_scale(company: Company | None, persons: int, employments: int, *,
                  weights: StrengthWeights) -> tuple[int, bool]:
    """A company's staff (stated, else the persons known there) and whether it is small (everyone paired)."""
    staff = (company.staff if company and company.staff else None) or persons
    return staff, staff <= weights.small_company and employments <= 4 * weights.small_company


def work_pairs(company_id: str, company: Company | None, stints: list[_Stint], *, weights: StrengthWeights,
               colleagues: int, sizes: tuple[int, int] | None = None) -> Iterator[tuple[str, str, WorkEvidence]]:
    """Pairs of overlapping employments at one company, under the caps of the module docstring.

    ``sizes``: ``(persons, employments)`` at the whole company, when ``stints`` are only some of
    them (whole department and board groups, see ``graph_service.bounded``); default: counted in ``stints``.
    """
    staff, small = company_scale(company, *(sizes or (len({s.person for s in stints}), len(stints))), weights=weights)
    relation = "association" if company and company.status == "association" else "colleague"
    groups: dict[tuple[bool, str], list[_Stint]] = defaultdict(list)
    for stint in stints:
        if stint.board:
            groups[(True, "")].append(stint)
        elif small or stint.department:
            groups[(False, "" if small else stint.department)].append(stint)
    for (board, _), group in groups.items():
        group.sort(key=lambda s: (s.start or date.min, s.person))
        limit = len(group) if small and not board else colleagues
        for i, x in enumerate(group):
            found = 0
            for y in group[i + 1:]:
                if found >= limit or (x.end is not None and y.start is not None and y.start >= x.end):
                    break
                start = max(x.start, y.start) if x.start and y.start else (x.start or y.start)
                end = min(x.end, y.end) if x.end and y.end else (x.end or y.end)
                if y.person == x.person or (start and end and end <= start):
                    continue
                found += 1
                department = x.department if x.department == y.department else ""
                yield x.person, y.person, WorkEvidence(
                    company_id, "board" if board else relation, start, end, department, staff, x.source or y.source)


# -- building -------------------------------------------------------------------------------


class _Builder:
    """Turns raw records (store JSON or generated rows) into the graph; also used for in-place updates."""

    def __init__(self, G: nx.Graph, *, weights: StrengthWeights, today: date, colleagues: int) -> None:
        self.G = G
        self.adj = G._adj
        self.weights = weights
        self.today = today
        self.colleagues = colleagues
        self.day = _Days()
        self._layers: dict[tuple[str, str], tuple[str, int]] = {}
        self._costs: dict[float, int] = {}
        self.stints: dict[str, list[_Stint]] = defaultdict(list)
        self.sizes: Mapping[str, tuple[int, int]] = {}  # (persons, employments) of companies given in part

    # evidence of a pair
    def evidence(self, p: str, q: str) -> PairEvidence | None:
        """A pair's evidence; None when either is not a known person or ``p == q``."""
        adj = self.adj
        if p == q or p not in adj or q not in adj:
            return None
        data = adj[p].get(q)
        return NO_EVIDENCE if data is None else data.evidence

    def put(self, p: str, q: str, evidence: PairEvidence) -> None:
        """Store a known pair's evidence (cost and day are set by :meth:`settle`); none left: no edge."""
        adj = self.adj
        if evidence.pieces():
            p, q = sys.intern(p), sys.intern(q)  # one id object, not a copy per neighbour
            adj[p][q] = adj[q][p] = EdgeData.of(evidence)
        elif q in adj[p]:
            self.G.remove_edge(p, q)

    def add(self, p: str, q: str, item: Evidence) -> bool:
        """Add one piece of evidence (a tie replaces a weaker rated one); False for an unknown pair."""
        evidence = self.evidence(p, q)
        if evidence is None:
            return False
        if isinstance(item, TieEvidence):
            known = evidence.tie
            if known is not None and (item.rated or 0.0) <= (known.rated or 0.0):
                return True
            evidence = evidence._replace(tie=item)
        elif isinstance(item, WorkEvidence):  # in a canonical order: the same whatever order stints came in
            evidence = evidence._replace(work=tuple(sorted((*evidence.work, item), key=_work_order)))
        else:
            evidence = evidence._replace(referrals=(*evidence.referrals, item))  # type: ignore[arg-type]
        self.put(p, q, evidence)
        return True

    # persons and companies
    def person(self, raw: Mapping[str, Any]) -> None:
        person, internal = sys.intern(raw["id"]), bool(raw.get("internal"))
        node = self.G._node.get(person)
        if node is None:
            self.G.add_node(person, name=raw["name"], internal=internal, jobs=())
        else:
            node.update(name=raw["name"], internal=internal)
        team = self.G.graph["team"]
        if internal:
            team.add(person)
        else:
            team.discard(person)

    def company(self, raw: Mapping[str, Any]) -> None:
        self.G.graph["companies"][raw["id"]] = Company(raw["name"], raw.get("employees"), raw.get("status") or "other")

    # employments
    def job(self, raw: Mapping[str, Any]) -> Job:
        title, department = raw.get("title") or "", raw.get("department") or ""
        key = (title, department)
        inferred = self._layers.get(key)
        if inferred is None:
            inferred = self._layers[key] = (sys.intern(infer_layer(title, department).value), seniority_of(title))
        layer = raw.get("decision_layer")
        layer = inferred[0] if layer in (None, DecisionLayer.unknown.value) else sys.intern(layer)
        seniority = raw.get("seniority")
        return Job(sys.intern(raw["company_id"]), sys.intern(title), sys.intern(department), layer,
                   inferred[1] if seniority is None else seniority, self.day(raw.get("start")))

    def set_jobs(self, person: str, jobs: tuple[Job, ...]) -> None:
        """Make ``jobs`` the person's current employments, in the node and in the employees index."""
        employees = self.G.graph["employees"]
        node = self.G._node[person]
        for job in node["jobs"]:
            employees.get(job.company_id, set()).discard(person)
        for job in jobs:
            employees.setdefault(job.company_id, set()).add(person)
        node["jobs"] = jobs

    def is_current(self, raw: Mapping[str, Any]) -> bool:
        start, end = self.day(raw.get("start")), self.day(raw.get("end"))
        return (start is None or start <= self.today) and (end is None or end > self.today)

    def stint(self, raw: Mapping[str, Any]) -> None:
        """Remember an employment of a known person for the colleague pairs of its company."""
        if raw["person_id"] not in self.adj:
            return
        title, department = raw.get("title") or "", raw.get("department") or ""
        self.stints[raw["company_id"]].append(_Stint(
            raw["person_id"], self.day(raw.get("start")), self.day(raw.get("end")), sys.intern(department),
            is_board(title, department), sys.intern(raw["source"]) if raw.get("source") else None))

    def colleagues_at(self, company_id: str, stints: list[_Stint]) -> set[tuple[str, str]]:
        touched = set()
        company = self.G.graph["companies"].get(company_id)
        for p, q, work in work_pairs(company_id, company, stints, weights=self.weights, colleagues=self.colleagues,
                                     sizes=self.sizes.get(company_id)):
            if self.add(p, q, work):
                touched.add((p, q) if p < q else (q, p))
        return touched

    # ties, interactions, referrals
    def tie(self, raw: Mapping[str, Any]) -> None:
        visibility = raw.get("visibility", "team")
        if visibility == "hidden":
            return
        rated = raw.get("strength")
        tie = TieEvidence(None if rated is None else float(rated), raw.get("kind") or "other",
                          raw.get("source") or "sales_accounts", self.day(raw.get("since")),
                          None if visibility == "team" else raw.get("owner") or "")
        if tie.owner is None:
            self.add(raw["a"], raw["b"], tie)
        else:
            self.private_tie(raw["a"], raw["b"], tie)

    def private_tie(self, a: str, b: str, tie: TieEvidence) -> None:
        """Keep a private tie aside, in ``G.graph["private"]`` (the strongest rated one of a pair)."""
        if a == b or a not in self.adj or b not in self.adj:
            return
        private = self.G.graph["private"]
        key = (a, b) if a < b else (b, a)
        known = private.get(key)
        if known is not None and (tie.rated or 0.0) <= (known.evidence.tie.rated or 0.0):
            return
        evidence = PairEvidence(tie=tie)
        strength = tie_strength(evidence, self.weights, self.today)
        if strength > 0.0:
            private[key] = EdgeData.of(evidence, cost_of(min(strength, 1.0)), last_evidence(evidence, self.today))

    def interaction(self, raw: Mapping[str, Any], only: str | None = None) -> None:
        """Count an interaction on its pairs (with ``only``: just the pairs of that person)."""
        if raw.get("visibility", "team") != "team":
            return
        day = self.day(raw["at"])
        kind, source = raw["type"], raw.get("source") or "sales_accounts"
        for p, q, copied, initiator in interaction_pairs(raw, self.weights.max_group):
            if only is not None and only not in (p, q):
                continue
            evidence = self.evidence(p, q)
            if evidence is None:
                continue
            a, b = (p, q) if p < q else (q, p)
            talk = evidence.talk or TalkEvidence(a, b, 0, 0, day, day, (), ())  # type: ignore[arg-type]
            talk = TalkEvidence(a, b, talk.by_a + (initiator == a), talk.by_b + (initiator == b),
                                min(talk.first, day), max(talk.last, day), _counted(talk.types, kind, copied),  # type: ignore[type-var]
                                talk.sources if source in talk.sources else tuple(sorted((*talk.sources, source))))
            self.put(p, q, evidence._replace(talk=talk))

    def referral(self, raw: Mapping[str, Any], only: str | None = None) -> None:
        rid = raw.get("id") or content_id("ref", raw["referrer_id"], raw["referred_id"], raw.get("to_id"), raw["on"])
        for p, q, relation in referral_links(raw):
            if only is None or only in (p, q):
                self.add(p, q, ReferralEvidence(
                    rid, relation, raw["referrer_id"], raw["referred_id"], raw.get("to_id"), self.day(raw["on"]),  # type: ignore[arg-type]
                    raw.get("outcome") or "pending", raw.get("source") or "customer_referrals"))

    # strength
    def settle(self, p: str, q: str) -> None:
        """Set a pair's cost and newest day from its evidence (see ``strength``); no evidence: no edge."""
        data = self.adj[p].get(q)
        if data is None:
            return
        evidence = data.evidence
        strength = tie_strength(evidence, self.weights, self.today)
        if strength <= 0.0:
            self.G.remove_edge(p, q)
        else:
            self.adj[p][q] = self.adj[q][p] = data.weighed(cost_of(min(strength, 1.0)), last_evidence(evidence, self.today))

    def settle_all(self) -> None:
        """:meth:`settle` every pair; a stored tie alone (most pairs) quickly, without unpacking it all."""
        alone, kinds, costs = _HEAD.size + _TIE.size, self.weights.tie_kinds, self._costs
        later = []
        for p, around in self.adj.items():
            for q, data in around.items():
                if p < q:
                    view = memoryview(data)
                    if view.nbytes == alone and view[_HEAD.size] == TIE:
                        _, rated, kind, _, since = _TIE.unpack_from(view, _HEAD.size)
                        strength = kinds[_NAMES["kind"][kind]] if math.isnan(rated) else rated  # = tie_strength
                        cost = costs.get(strength)
                        if cost is None:
                            cost = costs[strength] = cost_of(strength) if strength > 0 else -1
                        if cost >= 0:
                            around[q] = self.adj[q][p] = EdgeData(_HEAD.pack(cost, since) + view[_HEAD.size:])
                            continue
                    later.append((p, q))
        for p, q in later:
            self.settle(p, q)


class _Linker(_Builder):
    """A builder that only links the pairs a build would weigh: no evidence kept, no strength computed."""

    def add(self, p: str, q: str, item: Evidence | None) -> bool:
        adj = self.adj
        if p == q or p not in adj or q not in adj:
            return False
        adj[p][q] = adj[q][p] = _LINKED
        return True

    def private_tie(self, a: str, b: str, tie: TieEvidence) -> None:
        self.add(a, b, tie)

    def interaction(self, raw: Mapping[str, Any], only: str | None = None) -> None:
        if raw.get("visibility", "team") == "team":
            for p, q, _, _ in interaction_pairs(raw, self.weights.max_group):
                self.add(p, q, None)

    def settle_all(self) -> None:
        """Nothing to weigh: a pair whose evidence would weigh nothing stays linked."""


class _Among(_Builder):
    """A builder that weighs only the pairs of ``among``; the other persons are nodes without ties
    (their employments still count toward the colleague caps of the others)."""

    among: Collection[str] = frozenset()

    def evidence(self, p: str, q: str) -> PairEvidence | None:
        return super().evidence(p, q) if p in self.among and q in self.among else None

    def private_tie(self, a: str, b: str, tie: TieEvidence) -> None:
        if a in self.among and b in self.among:
            super().private_tie(a, b, tie)


_LINKED: Mapping[str, Any] = MappingProxyType({})
"""The data of every edge of a links-only graph."""


def build_graph(rows: Mapping[str, Iterable[Mapping[str, Any]]], *, weights: StrengthWeights = DEFAULT_WEIGHTS,
                today: date | None = None, colleagues: int = 3,
                sizes: Mapping[str, tuple[int, int]] | None = None, links_only: bool = False,
                among: Collection[str] | None = None) -> nx.Graph:
    """The graph of the module docstring from raw records, one iterable per kind of :data:`KINDS`.

    Records may be the store's JSON (``scan_all``) or ``generate.Synthetic.rows`` (dates as objects,
    derived ids left out). Kinds are read in :data:`KINDS` order; records naming unknown persons are skipped.
    ``sizes``: ``(persons, employments)`` of the companies whose employments are given only in
    part (a neighbourhood: whole department and board groups), for :func:`work_pairs`.
    ``links_only``: every pair the records would tie, private ties included, with no data and no
    strength (a pair whose evidence weighs nothing too): who may be whose neighbour, several times
    cheaper than the whole build. ``among``: only the pairs of these persons are weighed and tied.
    """
    G = nx.Graph(companies={}, team=set(), employees={}, private={}, edge_type=EdgeData)
    kind = _Linker if links_only else _Builder if among is None else _Among
    builder = kind(G, weights=weights, today=today or date.today(), colleagues=colleagues)
    builder.sizes = sizes or {}
    if among is not None:
        builder.among = among
    with collector.paused():  # millions of new containers and no garbage
        _read(builder, rows)
    return G


@contextmanager
def private_ties(G: nx.Graph) -> Iterator[None]:
    """``G`` with the private ties added for path finding, and without them again afterwards.

    Only pairs without team-visible evidence get one: where the team already knows a
    pair, its private rating stays its owner's. Hold the projection's lock throughout
    (``Projection.current``): while inside, every edge whose tie has an ``owner`` is private.
    """
    adj = G._adj
    private = G.graph.get("private", {})
    added = [(a, b, data) for (a, b), data in private.items() if a in adj and b in adj and b not in adj[a]]
    for a, b, data in added:
        adj[a][b] = adj[b][a] = data
    try:
        yield
    finally:
        for a, b, _ in added:
            del adj[a][b], adj[b][a]


def _work_order(work: WorkEvidence) -> tuple[Any, ...]:
    return (work.company_id, work.relation, _ordinal(work.start), _ordinal(work.end) or math.inf, work.department,
            work.staff, work.source or "")


def tie_owners(G: nx.Graph, nodes: Sequence[str]) -> list[str | None]:
    """Per hop of a path through ``G``, the owner of the private tie it runs over (None: a team tie)."""
    return [getattr(G._adj[u][v].evidence.tie, "owner", None) for u, v in zip(nodes, nodes[1:])]


def _counted(types: tuple[tuple[str, int, int], ...], kind: str, copied: bool) -> tuple[tuple[str, int, int], ...]:
    """``(type, direct, copied)`` counts with one more interaction of ``kind``, most frequent first."""
    counts = {t: (direct, copies) for t, direct, copies in types}
    direct, copies = counts.get(kind, (0, 0))
    counts[kind] = (direct + (not copied), copies + copied)
    return tuple(sorted(((t, d, c) for t, (d, c) in counts.items()), key=lambda t: (-t[1] - t[2], t[0])))


def _read(builder: _Builder, rows: Mapping[str, Iterable[Mapping[str, Any]]]) -> None:
    G = builder.G
    for raw in rows.get("person", ()):
        builder.person(raw)
    for raw in rows.get("company", ()):
        builder.company(raw)
    for raw in rows.get("employment", ()):
        builder.stint(raw)
        node = G._node.get(raw["person_id"])
        if node is not None and builder.is_current(raw):
            G.graph["employees"].setdefault(sys.intern(raw["company_id"]), set()).add(sys.intern(raw["person_id"]))
            node["jobs"] = (*node["jobs"], builder.job(raw))
    for company_id, stints in builder.stints.items():
        builder.colleagues_at(company_id, stints)
    builder.stints.clear()
    for raw in rows.get("tie", ()):
        builder.tie(raw)
    for raw in rows.get("interaction", ()):
        builder.interaction(raw)
    for raw in rows.get("referral", ()):
        builder.referral(raw)
    builder.settle_all()


# -- following the store ---------------------------------------------------------------------


T = TypeVar("T")


class ResultCache:
    """Heavy results (maps, rankings, the graph as a matrix) kept while the projection stands still.

    Every entry belongs to the sequence number it was computed at (the projection's
    ``seq``, or its ``ties_seq`` for results of the ties alone); the first look-up
    at another number empties the cache, so a change invalidates everything derived
    from what it may have changed. Bounded: the least recently used entry goes first.
    """

    def __init__(self, size: int = 256) -> None:
        self.size = size
        self._seq: int | None = None
        self._items: OrderedDict[Hashable, object] = OrderedDict()
        self._lock = threading.Lock()

    def get_or_build(self, seq: int, key: Hashable, build: Callable[[], T]) -> T:
        """The entry for ``key`` at ``seq``, built (outside the cache's lock) when missing."""
        with self._lock:
            if seq != self._seq:
                self._items.clear()
                self._seq = seq
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]  # type: ignore[return-value]
        value = build()
        with self._lock:
            if seq == self._seq:
                self._items[key] = value
                while len(self._items) > self.size:
                    self._items.popitem(last=False)
        return value


class Projection:
    """The graph of one store, kept current from its change feed (see the module docstring).

    Parameters
    ----------
    store : Store
    weights : StrengthWeights
    today : date, optional
        The day recency is measured from; default: the day of each build or update.
    colleagues : int
        At large companies, the colleagues each employment is paired with.
    rebuild_after : int
        More changed ids than this in one refresh: rebuild instead of updating in place.
    """

    def __init__(self, store: Store, *, weights: StrengthWeights = DEFAULT_WEIGHTS, today: date | None = None,
                 colleagues: int = 3, rebuild_after: int = 10_000) -> None:
        self.store = store
        self.weights = weights
        self._today = today
        self.colleagues = colleagues
        self.rebuild_after = rebuild_after
        self._lock = threading.RLock()
        self._broken = False
        self.seq = 0
        self.ties_seq = 0
        """The newest change that may have changed a tie: any but a person's upsert (a new name, a new
        person, a team flag, none of which moves an edge)."""
        self.tie_results = ResultCache(size=16)
        """Results that depend on the ties alone (a team's reach), kept across the other writes."""
        self.graph = nx.Graph(companies={}, team=set(), employees={}, private={}, edge_type=EdgeData)
        self._matrix: Adjacency | None = None
        self._moved: set[tuple[str, str]] = set()  # pairs whose tie may have changed since the matrix
        self.rebuild()

    @property
    def today(self) -> date:
        return self._today or date.today()

    def rebuild(self) -> None:
        """Build the graph again from a full scan of the store."""
        with self._lock:
            seq = self.store.read(lambda tx: tx.last_change())  # changes after this are applied by refresh
            rows = {kind: scan_all(self.store, kind, PAGE) for kind in KINDS}
            self.graph = build_graph(rows, weights=self.weights, today=self.today, colleagues=self.colleagues)
            gc.freeze()  # kept until the next rebuild: no collection walks its millions of containers again
            self.seq = self.ties_seq = seq
            self._matrix = None
            self._broken = False

    def refresh(self) -> int:
        """Apply every change committed since the last refresh; returns how many changes were applied.

        A refresh that fails half way (the store went away) leaves the graph to be rebuilt by the next one.
        """
        with self._lock:
            if self._broken:
                self.rebuild()
            changes: list[Change] = []
            seq = self.seq
            while True:
                page = self.store.read(lambda tx: tx.changes_since(seq, PAGE))
                changes += page
                seq = page[-1].seq if page else seq
                if len(page) < PAGE:
                    break
            if changes:
                self._broken = True
                self._apply(changes)
                self._broken = False
                if any((change.entity, change.op) != ("person", "upsert") for change in changes):
                    self.ties_seq = max(self.ties_seq, seq)
            self.seq = max(self.seq, seq)
            return len(changes)

    @contextmanager
    def current(self) -> Iterator[nx.Graph]:
        """The graph with every committed change applied, held still while the caller reads it."""
        with self._lock:
            self.refresh()
            yield self.graph

    def evidence(self, p: str, q: str) -> PairEvidence | None:
        data = self.graph._adj.get(p, {}).get(q)
        return data.evidence if data is not None else None

    def adjacency(self) -> Adjacency:
        """The team-visible ties' strengths as a sparse matrix (:func:`graph_service.influence.adjacency`),
        current as of the last refresh.

        Built from the graph on first use after a rebuild (seconds at a million
        persons), then patched with the pairs each refresh touched (a fraction of a
        second): rankings after a write do not read the whole graph again.
        """
        with self._lock:
            if self._matrix is None:
                self._matrix = adjacency(self.graph, "strength")
            elif self._moved or len(self._matrix) != len(self.graph):
                self._matrix = patched(self._matrix, self.graph, self._moved)
            self._moved = set()
            return self._matrix

    # -- in place --------------------------------------------------------------------------
    def _apply(self, changes: list[Change]) -> None:
        ids: dict[tuple[str, str], set[str]] = defaultdict(set)
        for change in changes:
            if change.entity in KINDS:
                ids[(change.entity, change.op)].update(change.ids)
        rebuilding = any((op == "delete" and entity != "person") or op == "erase" for entity, op in ids)
        if rebuilding or sum(map(len, ids.values())) > self.rebuild_after:
            self.rebuild()
            return
        G = self.graph
        builder = _Builder(G, weights=self.weights, today=self.today, colleagues=self.colleagues)
        private = G.graph["private"]
        for person in ids.get(("person", "delete"), ()):
            for pair in [pair for pair in private if person in pair]:
                del private[pair]
            if person in G:
                self._matrix = None  # a node leaves: the matrix is read again when next wanted
                builder.set_jobs(person, ())
                G.remove_node(person)
                G.graph["team"].discard(person)
        self.store.read(lambda tx: self._update(tx, builder, ids))

    def _update(self, tx: StoreTx, builder: _Builder, ids: Mapping[tuple[str, str], set[str]]) -> None:
        G, adj = self.graph, self.graph._adj
        touched: set[tuple[str, str]] = set()

        def fetch(entity: str) -> list[dict[str, Any]]:
            found = tx.get_many(entity, sorted(ids.get((entity, "upsert"), ())))
            return [record.model_dump(mode="json") for record in found.values()]

        for raw in fetch("person"):
            builder.person(raw)
        companies = set()
        for raw in fetch("company"):
            builder.company(raw)
            companies.add(raw["id"])
        changed = [raw for raw in fetch("employment") if raw["person_id"] in G]
        companies |= {raw["company_id"] for raw in changed}
        movers = {raw["person_id"] for raw in changed}
        for person in movers:  # an employment may have left a company: look where the person was
            node = G._node[person]
            companies |= {job.company_id for job in node["jobs"]}
            companies |= {w.company_id for data in adj[person].values() for w in data.evidence.work}
            held = [e.model_dump(mode="json") for e in tx.employments_of([person])]
            builder.set_jobs(person, tuple(builder.job(raw) for raw in held if builder.is_current(raw)))
        for company in sorted(companies):
            touched |= self._colleagues(tx, builder, company, movers)
        for raw in fetch("tie"):
            touched |= self._ties(tx, builder, raw["a"], raw["b"])
        for entity, count in (("interaction", builder.interaction), ("referral", builder.referral)):
            persons = set()
            for raw in fetch(entity):
                persons |= ({p for pair in interaction_pairs(raw, self.weights.max_group) for p in pair[:2]}
                            if entity == "interaction" else {p for link in referral_links(raw) for p in link[:2]})
            for person in sorted(p for p in persons if p in G):  # not set(G): a refresh after a write costs its own persons only
                touched |= self._recount(tx, builder, entity, person, count)
        for p, q in touched:
            builder.settle(p, q)
        if self._matrix is not None:
            self._moved |= touched

    def _colleagues(self, tx: StoreTx, builder: _Builder, company: str, movers: set[str]) -> set[tuple[str, str]]:
        """Derive the work evidence at one company again."""
        adj = self.graph._adj
        for raw in _listed(tx, "employment", {"company_id": company}):
            builder.stint(raw)
        stints = builder.stints.pop(company, [])
        touched = set()
        for person in {s.person for s in stints} | movers:
            for other, data in list(adj.get(person, {}).items()):
                evidence = data.evidence
                if any(w.company_id == company for w in evidence.work):
                    builder.put(person, other, evidence._replace(work=tuple(w for w in evidence.work if w.company_id != company)))
                    touched.add((person, other) if person < other else (other, person))
        return touched | builder.colleagues_at(company, stints)

    def _ties(self, tx: StoreTx, builder: _Builder, a: str, b: str) -> set[tuple[str, str]]:
        evidence = builder.evidence(a, b)
        if evidence is None:
            return set()
        builder.put(a, b, evidence._replace(tie=None))
        self.graph.graph["private"].pop((a, b) if a < b else (b, a), None)
        for raw in _listed(tx, "tie", {"person_id": a}):
            if {raw["a"], raw["b"]} == {a, b}:
                builder.tie(raw)
        return {(a, b) if a < b else (b, a)}

    def _recount(self, tx: StoreTx, builder: _Builder, entity: str, person: str,
                 count: Callable[..., None]) -> set[tuple[str, str]]:
        """Count one person's interactions (or referrals) again, on every pair of that person."""
        part, empty = ("talk", None) if entity == "interaction" else ("referrals", ())
        touched = set()
        for other, data in list(self.graph._adj[person].items()):
            evidence = data.evidence
            if getattr(evidence, part):
                builder.put(person, other, evidence._replace(**{part: empty}))
                touched.add((person, other) if person < other else (other, person))
        for raw in _listed(tx, entity, {"person_id": person}):
            count(raw, only=person)
        for other, data in self.graph._adj[person].items():
            if getattr(data.evidence, part):
                touched.add((person, other) if person < other else (other, person))
        return touched


def _listed(tx: StoreTx, entity: str, filters: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    """Every record of an entity matching the filters, as JSON-mode dicts, page by page."""
    after: str | None = None
    while True:
        page = tx.list(entity, after=after, limit=PAGE, filters=filters)
        for record in page:
            yield record.model_dump(mode="json")
        if len(page) < PAGE:
            return
        after = page[-1].id
