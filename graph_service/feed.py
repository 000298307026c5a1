"""The moves feed: job moves in a time window, filtered, and ranked by how much they matter to us.

A move matters when the mover is senior and sits (or sat) in a buying layer, when
someone on our team knows them well, and when they land at an account we sell to.
The domain note puts it this way: a move is not a loss, the person who left usually
opens the door at the new company, and every move should reach the people on our
side who know the person.

Relevance score
---------------
Every part lies in [0, 1], and so does the score::

    side(layer, seniority) = 0.5 * LAYER_WEIGHT[layer] + 0.5 * seniority / 10
    role        = 0.4 * side(before) + 0.6 * side(after)
    tie         = our tie strength to the mover (0 when nobody on our team knows them)
    destination = DESTINATION_WEIGHT[status of the company joined]
    score       = 0.35 * role + 0.35 * tie + 0.30 * destination

``LAYER_WEIGHT``: decision-maker 1.0, executor 0.7, user/influencer 0.4, unknown 0.2
(the three layers of the buying committee, in order of who signs). ``seniority`` is
the employment's stated 0..10 seniority, else the prior ``layers.seniority_of(title)``.
The role after the move weighs more than the role before: it is the door the mover
can open now. ``DESTINATION_WEIGHT``: prospect 1.0 (a warm door into a new key
account), customer 0.9 (a new champion, or a risk to watch), competitor 0.6 (a contact
lost to the other side, and what they will know), partner 0.5, association 0.3,
other 0.2. Ties are broken by the move's date (newer first), then by a hash of its id,
so the order is total and the same in every process.

"Connected to our team" means that a team member (a person marked internal) has a
tie or an interaction with the mover. Our tie strength to a person is the strongest
tie any team member has with them. Given a ``projection.Projection`` (as the API
does), that is the edge ``strength`` of its graph, which also counts former
colleagues and referrals (a former colleague has a strength but is not
"connected"). Without one (the CLI, benchmarks), it is ``strength.tie_strength``
over the pair's stored tie and interactions only. Either way ties and interactions
marked private or hidden are left out: the feed is shared by the whole team.

Speed
-----
Ranking needs every move in the window scored, so the feed keeps a columnar index of
all moves in memory (numpy arrays, one entry per move, plus the id maps: about 340 MB
for a million moves). Each move's score is packed with its date and id hash into one
int64 key, and the live moves are kept sorted by key; a query is a few vectorised
comparisons over the columns and a walk along that order to the first ``limit``
matches (about 6 ms for a million moves, whatever the filters). A ``FeedIndex`` is
built once from the store (one raw scan of the moves, and of the employments for
stated seniority) and then follows the store's change feed (moves, companies, ties,
interactions, team membership) before each query, merging changed rows into the
order, like every other per-process cache: workers share nothing but the store.
"""

from __future__ import annotations

import threading
import zlib
from array import array
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel

from graph_service.errors import InvalidInput, Problem
from graph_service.layers import seniority_of
from graph_service.model import ChangeType, DecisionLayer, Interaction, JobMove, Tie, Visibility
from graph_service.store.base import Store, StoreTx, scan_all
from graph_service.strength import DEFAULT_WEIGHTS, PairEvidence, StrengthWeights, TalkEvidence, TieEvidence, tie_strength

LAYERS: tuple[str, ...] = ("decision_maker", "executor", "user_influencer", "unknown")
LAYER_WEIGHT: dict[str, float] = {"decision_maker": 1.0, "executor": 0.7, "user_influencer": 0.4, "unknown": 0.2}
STATUSES: tuple[str, ...] = ("prospect", "customer", "competitor", "partner", "association", "other")
DESTINATION_WEIGHT: dict[str, float] = {
    "prospect": 1.0, "customer": 0.9, "competitor": 0.6, "partner": 0.5, "association": 0.3, "other": 0.2,
}
ROLE_BEFORE, ROLE_AFTER = 0.4, 0.6
W_ROLE, W_TIE, W_DESTINATION = 0.35, 0.35, 0.30


Direction = Literal["in", "out", "any"]

_EPOCH = date(1900, 1, 1).toordinal()
_DAY_BITS = _HASH_BITS = 21
_SCORE_SCALE = 1_000_000  # < 2**20: score, day and hash fit one signed 64-bit key
_PAGE = 10_000
_REBUILD = 50_000
"""More changed moves than this since the last refresh: rebuild from a raw scan instead of fetching each."""


# -- our ties to people ---------------------------------------------------------------


@dataclass(frozen=True)
class OurTie:
    """Our strongest tie to one person: its strength in (0, 1] and the team member it runs from."""

    strength: float
    via: str


def list_all(tx: StoreTx, entity: str, filters: Mapping[str, Any]) -> Iterable[Any]:
    """Every record of a filtered list, page by page, inside one transaction."""
    after: str | None = None
    while True:
        page = tx.list(entity, after=after, limit=_PAGE, filters=filters)
        yield from page
        if len(page) < _PAGE:
            return
        after = page[-1].id


def team_of(tx: StoreTx) -> set[str]:
    """Ids of the persons on our team (marked internal)."""
    return {person.id for person in list_all(tx, "person", {"internal": True})}


def pair_evidence(person: str, other: str, tie: Tie | None, talks: Sequence[Interaction],
                  weights: StrengthWeights = DEFAULT_WEIGHTS) -> PairEvidence:
    """The stored tie and the team-visible interactions of one pair, as ``strength`` weighs them."""
    a, b = sorted((person, other))
    tie_evidence = None if tie is None else TieEvidence(tie.strength, tie.kind, tie.source, tie.since)
    talk = None
    if talks:
        types: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for interaction in talks:
            types[interaction.type][1 if a in interaction.cc or b in interaction.cc else 0] += 1
        days = [interaction.at.date() for interaction in talks]
        talk = TalkEvidence(
            a=a, b=b, by_a=sum(i.initiator == a for i in talks), by_b=sum(i.initiator == b for i in talks),
            first=min(days), last=max(days),
            types=tuple(sorted(((t, d, c) for t, (d, c) in types.items()), key=lambda x: (-(x[1] + x[2]), x[0]))),
            sources=tuple(sorted({i.source for i in talks})),
        )
    return PairEvidence(tie=tie_evidence, talk=talk)


def _paired(interaction: Interaction, person: str, weights: StrengthWeights) -> list[str]:
    """Whom ``person`` is paired with by one interaction: everyone, or in a large group only the initiator."""
    persons = interaction.persons()
    if len(persons) > weights.max_group and interaction.initiator != person:
        return [interaction.initiator] if interaction.initiator else []
    return [p for p in persons if p != person]


def person_ties(tx: StoreTx, person: str, only: set[str] | None = None, today: date | None = None,
                weights: StrengthWeights = DEFAULT_WEIGHTS) -> dict[str, float]:
    """A person's tie strength to everyone (or everyone in ``only``) they have a team-visible tie or interaction with.

    Strength is ``strength.tie_strength`` over the pair's stored tie and interactions
    (the project's one weights table); ties and interactions marked private or
    hidden are left out, since the feed is shared by the whole team.
    """
    stored: dict[str, Tie] = {}
    for tie in list_all(tx, "tie", {"person_id": person}):
        other = tie.b if tie.a == person else tie.a
        if tie.visibility == Visibility.team and (only is None or other in only):
            stored[other] = tie
    talks: dict[str, list[Interaction]] = defaultdict(list)
    for interaction in list_all(tx, "interaction", {"person_id": person}):
        if interaction.visibility == Visibility.team:
            for other in _paired(interaction, person, weights):
                if only is None or other in only:
                    talks[other].append(interaction)
    day = today or date.today()
    found = {}
    for other in stored.keys() | talks.keys():
        value = tie_strength(pair_evidence(person, other, stored.get(other), talks.get(other, ())), weights, day)
        if value > 0:
            found[other] = value
    return found


def member_ties(tx: StoreTx, member: str) -> dict[str, float]:
    """One team member's tie strength to everyone they know."""
    return person_ties(tx, member)


def strongest(by_member: Mapping[str, Mapping[str, float]], team: set[str]) -> dict[str, OurTie]:
    """Per person, the strongest tie over all team members (team members themselves left out)."""
    best: dict[str, OurTie] = {}
    for member in sorted(by_member):
        for person, strength in by_member[member].items():
            if person in team:
                continue
            known = best.get(person)
            if known is None or strength > known.strength:
                best[person] = OurTie(round(strength, 6), member)
    return best


def ties_to(tx: StoreTx, person_ids: Sequence[str], team: set[str] | None = None) -> dict[str, OurTie]:
    """Our strongest tie to each of a few persons, looked up from their side (for impact and webhooks)."""
    team = team_of(tx) if team is None else team
    found: dict[str, OurTie] = {}
    for person in dict.fromkeys(person_ids):
        if person in team:
            continue
        by_member = person_ties(tx, person, only=team)
        if by_member:
            member = min(by_member, key=lambda m: (-by_member[m], m))
            found[person] = OurTie(round(by_member[member], 6), member)
    return found


def team_from_graph(G: Any) -> tuple[dict[str, OurTie], set[str]]:
    """Our strongest tie to everyone the team knows, and who of them is connected, from the projection's graph.

    Strength is the edge's ``strength`` (every kind of evidence the projection weighs,
    former colleagues and referrals included); *connected* keeps the feed's meaning: a
    stored tie or an interaction with a team member.
    """
    team = set(G.graph.get("team", ()))
    best: dict[str, OurTie] = {}
    connected: set[str] = set()
    for member in sorted(team):
        if member not in G:
            continue
        for person, data in G.adj[member].items():
            if person in team:
                continue
            strength = float(data["strength"])
            known = best.get(person)
            if strength > 0 and (known is None or strength > known.strength):
                best[person] = OurTie(round(strength, 6), member)
            evidence = getattr(data, "evidence", None)  # projection.EdgeData: the pair's PairEvidence
            if evidence is None or evidence.tie is not None or evidence.talk is not None:
                connected.add(person)
    return best, connected


# -- scoring --------------------------------------------------------------------------


def side(layer: str, seniority: int) -> float:
    """Weight of one side of a move (before or after) from its decision layer and seniority."""
    return 0.5 * LAYER_WEIGHT.get(layer, LAYER_WEIGHT["unknown"]) + 0.5 * seniority / 10


def score(role: float, tie: float, destination_status: str) -> float:
    """The relevance score of a move from its parts (see the module docstring)."""
    return W_ROLE * role + W_TIE * tie + W_DESTINATION * DESTINATION_WEIGHT.get(destination_status, 0.2)


# -- results --------------------------------------------------------------------------


class CompanyRef(BaseModel):
    id: str
    name: str
    status: str


class Relevance(BaseModel):
    """The score and its parts, each in [0, 1]."""

    score: float
    role: float
    role_before: float
    role_after: float
    tie: float
    destination: float
    from_seniority: int
    to_seniority: int


class FeedItem(BaseModel):
    move: JobMove
    person_name: str
    from_company: CompanyRef
    to_company: CompanyRef
    connected: bool
    our_strength: float
    via: str | None
    relevance: Relevance


class FeedPage(BaseModel):
    """One page of the ranked feed; pass ``next_cursor`` as ``after`` for the next (null at the end)."""

    items: list[FeedItem]
    total: int
    next_cursor: str | None


# -- the index --------------------------------------------------------------------------


def _day(value: str | date | None) -> int:
    if value is None:
        return 0
    ordinal = (date.fromisoformat(value) if isinstance(value, str) else value).toordinal() - _EPOCH
    return min(max(ordinal, 1), (1 << _DAY_BITS) - 1)


def _hash(id: str) -> int:
    return zlib.crc32(id.encode()) & ((1 << _HASH_BITS) - 1)


_COLUMNS: dict[str, Any] = {
    "alive": np.bool_, "is_move": np.bool_, "person": np.int32, "from_co": np.int32, "to_co": np.int32,
    "from_layer": np.int8, "to_layer": np.int8, "from_sen": np.int8, "to_sen": np.int8,
    "role": np.float64, "day": np.int32, "static": np.int64,
}
_ARRAY_CODES: dict[str, str] = {
    "is_move": "b", "person": "i", "from_co": "i", "to_co": "i", "from_layer": "b", "to_layer": "b",
    "from_sen": "b", "to_sen": "b", "day": "i", "hash": "q",
}
"""Compact Python arrays a build fills before turning them into numpy columns."""
_LAYER_WEIGHTS = np.array([LAYER_WEIGHT[layer] for layer in LAYERS], np.float64)
_KEY_SHIFT = _DAY_BITS + _HASH_BITS
_RESORT = 0.05
"""More than this share of rows changed their key: sort everything again instead of merging."""
_DESTINATION = np.array([DESTINATION_WEIGHT[s] for s in STATUSES], np.float64)


@dataclass
class _Snapshot:
    """Arrays a query reads, never changed once published; a refresh that changes anything makes a new one.

    ``key`` packs each move's rounded score, day and id hash into one int64, so sorting by
    key sorts by (score, date, hash) descending; ``order`` lists the live rows by key,
    highest first, and ``sorted_neg`` holds their negated keys (ascending, for cursors).
    """

    columns: dict[str, np.ndarray]
    ours: np.ndarray  # per person code: our tie strength (0 = not connected)
    status: np.ndarray  # per company code: index into STATUSES
    size: int
    key: np.ndarray
    order: np.ndarray
    sorted_neg: np.ndarray
    connected: np.ndarray  # per row: someone on our team knows the mover


def _derive(columns: dict[str, np.ndarray]) -> None:
    """The columns computed from others: ``role`` (``ROLE_BEFORE * side(before) + ROLE_AFTER * side(after)``) and ``static`` (day and id hash)."""
    before = 0.5 * _LAYER_WEIGHTS[columns["from_layer"]] + 0.5 * columns["from_sen"].astype(np.float64) / 10
    after = 0.5 * _LAYER_WEIGHTS[columns["to_layer"]] + 0.5 * columns["to_sen"].astype(np.float64) / 10
    columns["is_move"] = columns["is_move"].astype(np.bool_)
    columns["role"] = ROLE_BEFORE * before + ROLE_AFTER * after
    columns["static"] = (columns["day"].astype(np.int64) << _HASH_BITS) | columns["hash"]


def _keys(columns: Mapping[str, np.ndarray], ours: np.ndarray, status: np.ndarray) -> np.ndarray:
    score = (W_ROLE * columns["role"] + W_TIE * ours[columns["person"]].astype(np.float64)
             + W_DESTINATION * _DESTINATION[status[columns["to_co"]]])
    return (np.round(score * _SCORE_SCALE).astype(np.int64) << _KEY_SHIFT) | columns["static"]


def _sorted(rows: np.ndarray, key: np.ndarray) -> np.ndarray:
    return rows[np.argsort(-key[rows], kind="stable")]


def _reorder(old: _Snapshot, key: np.ndarray, alive: np.ndarray, touched: np.ndarray) -> np.ndarray:
    """The live rows by key, highest first: the old order with changed rows taken out and merged back in."""
    n = len(key)
    dirty = np.zeros(n, np.bool_)
    dirty[touched] = True
    dirty[: old.size] |= key[: old.size] != old.key
    dirty[old.size:] = True
    changed = np.flatnonzero(dirty)
    if len(changed) > _RESORT * max(n, 1):
        return _sorted(np.flatnonzero(alive), key)
    keep = old.order[~dirty[old.order]]
    moved = _sorted(changed[alive[changed]], key)
    positions = np.searchsorted(-key[keep], -key[moved], side="right")
    return np.insert(keep, positions, moved)


@dataclass
class _Row:
    id: str
    is_move: bool
    person: str
    from_co: str
    to_co: str
    from_layer: int
    to_layer: int
    from_sen: int
    to_sen: int
    day: int


@dataclass
class _Team:
    members: set[str] = field(default_factory=set)
    by_member: dict[str, dict[str, float]] = field(default_factory=dict)
    best: dict[str, OurTie] = field(default_factory=dict)
    connected: set[str] = field(default_factory=set)


def _layer_code(layer: str | None) -> int:
    return LAYERS.index(layer) if layer in LAYERS else LAYERS.index("unknown")


def _status_code(status: str | None) -> int:
    return STATUSES.index(status) if status in STATUSES else STATUSES.index("other")


_seniority_of = lru_cache(maxsize=65_536)(seniority_of)
"""Titles repeat a lot, and reading one takes a few dozen regex searches."""


def _seniority(stated: int | None, title: str) -> int:
    return stated if stated is not None else _seniority_of(title)


class FeedIndex:
    """Every job move of a store as numpy columns, kept current from the change feed.

    Thread-safe: ``refresh`` runs under a lock and publishes a new immutable snapshot;
    queries read whichever snapshot is current when they start.
    """

    def __init__(self, store: Store, projection: Any | None = None) -> None:
        """``projection``: a ``projection.Projection`` of the same store to take our tie strengths from."""
        self.store = store
        self.projection = projection
        self._lock = threading.Lock()
        self._cursor: int | None = None
        self._ids: list[str] = []
        self._row_of: dict[str, int] = {}
        self._person_code: dict[str, int] = {}
        self._persons: list[str] = []
        self._company_code: dict[str, int] = {}
        self._companies: list[str] = []
        self._team = _Team()
        empty = np.zeros(0, np.int64)
        self._snapshot = _Snapshot({name: np.zeros(0, dtype) for name, dtype in _COLUMNS.items()},
                                   np.zeros(0, np.float32), np.zeros(0, np.int8), 0, empty, empty, empty,
                                   np.zeros(0, np.bool_))

    # -- codes -------------------------------------------------------------------------
    def _pcode(self, person: str) -> int:
        code = self._person_code.get(person)
        if code is None:
            code = self._person_code[person] = len(self._persons)
            self._persons.append(person)
        return code

    def _ccode(self, company: str) -> int:
        code = self._company_code.get(company)
        if code is None:
            code = self._company_code[company] = len(self._companies)
            self._companies.append(company)
        return code

    # -- building and following ------------------------------------------------------------
    def refresh(self) -> None:
        """Build the index on first use, then apply every change committed since the last refresh."""
        with self._lock:
            if self._cursor is None:
                self._build()
            else:
                self._follow()

    def _build(self) -> None:
        """Read every move once (raw JSON, no validation) straight into columns."""
        cursor = self.store.read(lambda tx: tx.last_change())
        statuses = {doc["id"]: doc.get("status") for doc in scan_all(self.store, "company")}
        self._ids, self._row_of = [], {}
        out = {name: array(code) for name, code in _ARRAY_CODES.items()}
        employment = {"from": array("q"), "to": array("q")}
        stated_in_moves = True
        for doc in scan_all(self.store, "move"):
            self._row_of[doc["id"]] = len(self._ids)
            self._ids.append(doc["id"])
            out["is_move"].append(doc.get("type", ChangeType.move) == ChangeType.move)
            out["person"].append(self._pcode(doc["person_id"]))
            out["from_co"].append(self._ccode(doc["from_company_id"]))
            out["to_co"].append(self._ccode(doc["to_company_id"]))
            for end in ("from", "to"):
                out[f"{end}_layer"].append(_layer_code(doc.get(f"{end}_layer")))
                given = doc.get(f"{end}_seniority")
                stated_in_moves &= given is not None
                out[f"{end}_sen"].append(_seniority(given, doc.get(f"{end}_title") or ""))
                employment[end].append(hash(doc[f"{end}_employment_id"]))
            out["day"].append(_day(doc.get("on")))
            out["hash"].append(_hash(doc["id"]))
        columns = {name: np.frombuffer(out[name], _COLUMNS.get(name, np.int64)).copy() for name in out}
        if self._ids and not stated_in_moves:
            self._stated_seniority(columns, employment)
        columns["alive"] = np.ones(len(self._ids), np.bool_)
        _derive(columns)
        del columns["hash"]
        self._team = _Team()
        self._update_team(set(), set(), set(), full=True)
        self._publish(columns, np.zeros(0, np.int64), statuses, full=True)
        self._cursor = cursor
        self._follow()

    def _stated_seniority(self, columns: dict[str, np.ndarray], employment: Mapping[str, array]) -> None:
        """Overwrite title priors with the seniority the employments state, joined on hashed employment ids.

        The moves' employment ids are hashed into one sorted int64 array, so the join over
        every stored employment costs a few vectorised lookups per page instead of a
        dictionary of millions of strings.
        """
        n = len(self._ids)
        hashes = np.concatenate([np.frombuffer(employment["from"], np.int64), np.frombuffer(employment["to"], np.int64)])
        order = np.argsort(hashes, kind="stable")
        ordered = hashes[order]
        batch_h: list[int] = []
        batch_v: list[int] = []

        def apply() -> None:
            found = np.array(batch_h, np.int64)
            values = np.array(batch_v, np.int8)
            lo, hi = np.searchsorted(ordered, found, "left"), np.searchsorted(ordered, found, "right")
            counts = hi - lo
            total = int(counts.sum())
            if total:
                first = np.repeat(lo, counts) + np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
                slots, seniority = order[first], np.repeat(values, counts)
                left = slots < n
                columns["from_sen"][slots[left]] = seniority[left]
                columns["to_sen"][slots[~left] - n] = seniority[~left]
            batch_h.clear()
            batch_v.clear()

        for doc in scan_all(self.store, "employment"):
            if doc.get("seniority") is not None:
                batch_h.append(hash(doc["id"]))
                batch_v.append(doc["seniority"])
                if len(batch_h) >= _PAGE:
                    apply()
        apply()

    def _row(self, doc: Mapping[str, Any], stated: Mapping[str, int]) -> _Row:
        """One move as the incremental path reads it (stated seniority looked up by employment id)."""
        def seniority(end: str) -> int:
            given = doc.get(f"{end}_seniority")
            if given is None:
                given = stated.get(doc[f"{end}_employment_id"])
            return _seniority(given, doc.get(f"{end}_title") or "")

        return _Row(
            id=doc["id"], is_move=doc.get("type", ChangeType.move) == ChangeType.move, person=doc["person_id"],
            from_co=doc["from_company_id"], to_co=doc["to_company_id"],
            from_layer=_layer_code(doc.get("from_layer")), to_layer=_layer_code(doc.get("to_layer")),
            from_sen=seniority("from"), to_sen=seniority("to"), day=_day(doc.get("on")),
        )

    def _follow(self) -> None:
        assert self._cursor is not None
        moves: dict[str, str] = {}
        companies: set[str] = set()
        ties: set[str] = set()
        interactions: set[str] = set()
        persons: set[str] = set()
        full_team = False
        cursor = self._cursor
        while True:
            changes = self.store.read(lambda tx: tx.changes_since(cursor, 1000))
            if not changes:
                break
            for change in changes:
                if change.op == "erase":  # an erasure scrubbed the ids: start over from the store
                    self._cursor = None
                    self._build()
                    return
                if change.entity == "move":
                    moves.update((id, change.op) for id in change.ids)
                elif change.entity == "company" and change.op == "upsert":
                    companies.update(change.ids)
                elif change.entity == "person":
                    persons.update(change.ids)
                elif change.entity in ("tie", "interaction"):
                    if change.op == "delete":
                        full_team = True
                    else:
                        (ties if change.entity == "tie" else interactions).update(change.ids)
                elif change.entity in ("employment", "referral") and self.projection is not None:
                    full_team = True  # colleagues and referrals count in the projection's strengths
            cursor = changes[-1].seq
        if cursor == self._cursor:
            return
        if len(moves) > _REBUILD:
            self._cursor = None
            self._build()
            return
        upserted = [id for id, op in moves.items() if op == "upsert"]
        deleted = [id for id, op in moves.items() if op == "delete"]
        rows, statuses = self._fetch(upserted, companies)
        self._update_team(persons, ties, interactions, full_team)
        columns, touched = self._apply(rows, deleted)
        self._publish(columns, touched, statuses, full=False)
        self._cursor = cursor

    def _fetch(self, move_ids: list[str], companies: set[str]) -> tuple[list[_Row], dict[str, str | None]]:
        def run(tx: StoreTx) -> tuple[list[_Row], dict[str, str | None]]:
            found: list[JobMove] = []
            for i in range(0, len(move_ids), _PAGE):
                found += tx.get_many("move", move_ids[i:i + _PAGE]).values()  # type: ignore[arg-type]
            employment_ids = [e for m in found for e in (m.from_employment_id, m.to_employment_id)]
            stated: dict[str, int] = {}
            for i in range(0, len(employment_ids), _PAGE):
                for id, employment in tx.get_many("employment", employment_ids[i:i + _PAGE]).items():
                    if employment.seniority is not None:  # type: ignore[attr-defined]
                        stated[id] = employment.seniority  # type: ignore[attr-defined]
            wanted = companies | {c for m in found for c in (m.from_company_id, m.to_company_id)
                                  if c not in self._company_code}
            statuses = {id: c.status for id, c in tx.get_many("company", sorted(wanted)).items()}  # type: ignore[attr-defined]
            return [self._row(m.model_dump(mode="json"), stated) for m in found], statuses

        return self.store.read(run)

    # -- our team's ties ---------------------------------------------------------------------
    def _recompute_team(self, members: Iterable[str]) -> None:
        members = list(members)
        if members:
            fresh = self.store.read(lambda tx: {m: member_ties(tx, m) for m in members})
            self._team.by_member.update(fresh)
        self._team.by_member = {m: t for m, t in self._team.by_member.items() if m in self._team.members}
        self._team.best = strongest(self._team.by_member, self._team.members)
        self._team.connected = set(self._team.best)

    def _update_team(self, persons: set[str], ties: set[str], interactions: set[str], full: bool) -> None:
        if not (persons or ties or interactions or full):
            return
        if self.projection is not None:
            with self.projection.current() as G:
                self._team.best, self._team.connected = team_from_graph(G)
                self._team.members = set(G.graph.get("team", ()))
            return
        team = self.store.read(team_of)
        if persons and (team != self._team.members):
            full = True
        self._team.members = team
        if full or len(ties) + len(interactions) > _PAGE:
            self._recompute_team(team)
            return

        def involved(tx: StoreTx) -> set[str]:
            found: set[str] = set()
            for tie in tx.get_many("tie", sorted(ties)).values():
                found |= {tie.a, tie.b} & team  # type: ignore[attr-defined]
            for interaction in tx.get_many("interaction", sorted(interactions)).values():
                found |= set(interaction.persons()) & team  # type: ignore[attr-defined]
            return found

        affected = self.store.read(involved) if ties or interactions else set()
        if affected:
            self._recompute_team(affected)

    # -- publishing -----------------------------------------------------------------------------
    def _apply(self, rows: list[_Row], deleted: list[str]) -> tuple[dict[str, np.ndarray], np.ndarray]:
        """Copies of the columns with rows updated, added and deleted; and the rows touched in place."""
        old = self._snapshot
        columns = {name: array.copy() for name, array in old.columns.items()}
        touched: list[int] = []
        fresh: list[_Row] = []
        for row in rows:
            at = self._row_of.get(row.id)
            if at is None:
                fresh.append(row)
            else:
                self._set_many(columns, at, [row])
                touched.append(at)
        if fresh:
            start = len(self._ids)
            grown = {name: np.zeros(start + len(fresh), dtype) for name, dtype in _COLUMNS.items()}
            for name in columns:
                grown[name][:start] = columns[name][:start]
            columns = grown
            for offset, row in enumerate(fresh):
                self._row_of[row.id] = start + offset
                self._ids.append(row.id)
            self._set_many(columns, start, fresh)
        for id in deleted:
            at = self._row_of.get(id)
            if at is not None:
                columns["alive"][at] = False
                touched.append(at)
        return columns, np.array(touched, np.int64)

    def _publish(self, columns: dict[str, np.ndarray], touched: np.ndarray, statuses: Mapping[str, str | None], *,
                 full: bool) -> None:
        """Score every row with the current team ties and company statuses, order them, and swap the snapshot in."""
        old = self._snapshot
        for company in statuses:
            self._ccode(company)
        status = np.full(len(self._companies), _status_code(None), np.int8)
        if not full:
            status[: len(old.status)] = old.status
        for company, value in statuses.items():
            status[self._company_code[company]] = _status_code(value)
        ours = np.zeros(len(self._persons), np.float32)
        for person, tie in self._team.best.items():
            code = self._person_code.get(person)
            if code is not None:
                ours[code] = tie.strength
        linked = np.zeros(len(self._persons), np.bool_)
        for person in self._team.connected:
            code = self._person_code.get(person)
            if code is not None:
                linked[code] = True
        key = _keys(columns, ours, status)
        if full or old.size == 0:
            order = _sorted(np.flatnonzero(columns["alive"]), key)
        else:
            order = _reorder(old, key, columns["alive"], touched)
        self._snapshot = _Snapshot(columns, ours, status, len(self._ids), key, order, -key[order],
                                   linked[columns["person"]])

    def _set_many(self, columns: dict[str, np.ndarray], start: int, rows: list[_Row]) -> None:
        part: dict[str, np.ndarray] = {
            "is_move": np.array([r.is_move for r in rows], np.bool_),
            "person": np.array([self._pcode(r.person) for r in rows], np.int32),
            "from_co": np.array([self._ccode(r.from_co) for r in rows], np.int32),
            "to_co": np.array([self._ccode(r.to_co) for r in rows], np.int32),
            "from_layer": np.array([r.from_layer for r in rows], np.int8),
            "to_layer": np.array([r.to_layer for r in rows], np.int8),
            "from_sen": np.array([r.from_sen for r in rows], np.int8),
            "to_sen": np.array([r.to_sen for r in rows], np.int8),
            "day": np.array([r.day for r in rows], np.int32),
            "hash": np.array([_hash(r.id) for r in rows], np.int64),
        }
        _derive(part)
        end = start + len(rows)
        columns["alive"][start:end] = True
        for name, values in part.items():
            if name != "hash":
                columns[name][start:end] = values

    # -- queries ------------------------------------------------------------------------------------
    def our_tie(self, person: str) -> OurTie | None:
        return self._team.best.get(person)

    def is_connected(self, person: str) -> bool:
        """Whether someone on our team has a tie or an interaction with the person."""
        return person in self._team.connected

    def seniority(self, move_id: str) -> tuple[int, int] | None:
        """(before, after) seniority the index scored a move with."""
        snap, at = self._snapshot, self._row_of.get(move_id)
        if at is None or at >= snap.size:
            return None
        return int(snap.columns["from_sen"][at]), int(snap.columns["to_sen"][at])

    def rank(self, *, since: date | None = None, until: date | None = None, company_id: str | None = None,
             direction: Direction = "any", layer: str | None = None, connected: bool = False,
             include_role_changes: bool = False, limit: int = 50,
             after: int | None = None) -> tuple[list[tuple[str, float]], int, int | None]:
        """Ids and scores of one page of the ranked feed, the number of matching moves, and the next cursor.

        Every filter is a vectorised comparison over all moves; the page is then the first
        ``limit`` matching rows along the precomputed order, so a query costs a few passes
        over the columns whatever the filters select.
        """
        snap = self._snapshot
        n, c = snap.size, snap.columns
        mask = c["alive"].copy()
        if not include_role_changes:
            mask &= c["is_move"]
        if since is not None:
            mask &= c["day"] >= _day(since)
        if until is not None:
            mask &= c["day"] <= _day(until)
        if company_id is not None:
            code = self._company_code.get(company_id, -1)
            if direction == "in":
                mask &= c["to_co"] == code
            elif direction == "out":
                mask &= c["from_co"] == code
            else:
                mask &= (c["to_co"] == code) | (c["from_co"] == code)
        if layer is not None:
            code = _layer_code(layer)
            mask &= (c["from_layer"] == code) | (c["to_layer"] == code)
        if connected:
            mask &= snap.connected
        total = int(np.count_nonzero(mask)) if n else 0
        start = 0 if after is None else int(np.searchsorted(snap.sorted_neg, -after, side="right"))
        hits = np.flatnonzero(mask[snap.order[start:]])
        rows = snap.order[start + hits[:limit]]
        keys = snap.key[rows]
        page = [(self._ids[row], int(k >> _KEY_SHIFT) / _SCORE_SCALE) for row, k in zip(rows.tolist(), keys.tolist())]
        more = len(hits) > limit
        return page, total, int(keys[-1]) if more else None


# -- the service ------------------------------------------------------------------------------


def _check(direction: str, layer: str | None, company_id: str | None, limit: int, after: str | None) -> int | None:
    problems = []
    if direction not in ("in", "out", "any"):
        problems.append(Problem("direction", "must be in, out or any"))
    if direction != "any" and company_id is None:
        problems.append(Problem("direction", "needs a company"))
    if layer is not None and layer not in {l.value for l in DecisionLayer}:
        problems.append(Problem("layer", f"must be one of {', '.join(l.value for l in DecisionLayer)}"))
    if not 1 <= limit <= 1000:
        problems.append(Problem("limit", "must be between 1 and 1000"))
    cursor = None
    if after is not None:
        try:
            cursor = int(after)
        except ValueError:
            cursor = -1
        if not 0 <= cursor < 2**63:
            problems.append(Problem("after", "not a cursor this feed returned"))
    if problems:
        raise InvalidInput(problems)
    return cursor


def list_feed(*, store: Store, index: FeedIndex | None = None, since: date | None = None, until: date | None = None,
              company_id: str | None = None, direction: Direction = "any", layer: str | None = None,
              connected: bool = False, include_role_changes: bool = False, limit: int = 50,
              after: str | None = None) -> FeedPage:
    """The moves feed, most relevant first.

    Parameters
    ----------
    store : Store
    index : FeedIndex, optional
        A long-lived index to reuse (the API keeps one per process); a fresh one is built otherwise.
    since, until : date, optional
        Only moves dated in this window (both ends included).
    company_id : str, optional
        Only moves into (``direction="in"``), out of (``"out"``) or either (``"any"``) this company.
    layer : str, optional
        Only movers who were or are now in this decision layer.
    connected : bool
        Only movers someone on our team has a tie or interaction with.
    include_role_changes : bool
        Also new roles inside the same company (promotions).
    limit, after
        Page size and the ``next_cursor`` of the previous page.

    Returns
    -------
    FeedPage
        Items with the move, names, our tie and the relevance score with its parts.
    """
    cursor = _check(direction, layer, company_id, limit, after)
    index = index or FeedIndex(store)
    index.refresh()
    ranked, total, next_key = index.rank(since=since, until=until, company_id=company_id, direction=direction,
                                         layer=layer, connected=connected, include_role_changes=include_role_changes,
                                         limit=limit, after=cursor)
    items = describe(store=store, ranked=ranked, index=index)
    return FeedPage(items=items, total=total, next_cursor=None if next_key is None else str(next_key))


def describe(*, store: Store, ranked: Sequence[tuple[str, float]], index: FeedIndex) -> list[FeedItem]:
    """Feed items for ranked (move id, score) pairs, in this order; moves deleted meanwhile are left out."""

    def run(tx: StoreTx) -> list[FeedItem]:
        found: dict[str, JobMove] = tx.get_many("move", [id for id, _ in ranked])  # type: ignore[assignment]
        people = tx.get_many("person", sorted({m.person_id for m in found.values()}))
        companies = tx.get_many("company", sorted({c for m in found.values() for c in (m.from_company_id, m.to_company_id)}))
        items = []
        for id, total in ranked:
            move = found.get(id)
            if move is None:
                continue
            refs = {}
            for key, company_id in (("from", move.from_company_id), ("to", move.to_company_id)):
                company = companies.get(company_id)
                refs[key] = CompanyRef(id=company_id, name=company.name if company else company_id,  # type: ignore[attr-defined]
                                       status=company.status if company else "other")  # type: ignore[attr-defined]
            from_sen, to_sen = index.seniority(id) or (_seniority_of(move.from_title), _seniority_of(move.to_title))
            ours = index.our_tie(move.person_id)
            tie = ours.strength if ours else 0.0
            before, after = side(move.from_layer, from_sen), side(move.to_layer, to_sen)
            person = people.get(move.person_id)
            items.append(FeedItem(
                move=move, person_name=person.name if person else move.person_id,  # type: ignore[attr-defined]
                from_company=refs["from"], to_company=refs["to"], connected=index.is_connected(move.person_id),
                our_strength=tie, via=ours.via if ours else None,
                relevance=Relevance(score=total, role=round(ROLE_BEFORE * before + ROLE_AFTER * after, 6),
                                    role_before=round(before, 6), role_after=round(after, 6), tie=tie,
                                    destination=DESTINATION_WEIGHT.get(refs["to"].status, 0.2),
                                    from_seniority=from_sen, to_seniority=to_sen),
            ))
        return items

    return store.read(run)
