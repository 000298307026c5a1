"""As-of queries: who worked where on a date, an account's people on a date, a person's career.

Dates are stored rounded down to their precision: an employment that started in
"March 2015" (``precision="month"``) is stored as starting on 2015-03-01 and really
began on some day of that month. So for a given day a position is either *certain*
(the whole uncertain period of its start lies before the day, and its stored end lies
after it) or only *possible* (the day falls inside the uncertain period of the start
or of the end). Both are returned; ``certain`` tells them apart. A missing start
means "since some unknown time" and is never certain.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from typing import TypeVar

from pydantic import BaseModel, TypeAdapter

from graph_service.errors import NotFound
from graph_service.feed import CompanyRef, OurTie, list_all, member_ties, strongest, team_of
from graph_service.layers import layer_of, seniority_of
from graph_service.model import DatePrecision, Employment, JobMove, StoredEmployment
from graph_service.moves import is_side_position
from graph_service.store.base import Store, StoreTx

_YEAR = timedelta(days=366)
E = TypeVar("E", Employment, StoredEmployment)


def period_end(day: date, precision: str) -> date:
    """The first day after the period a rounded date stands for (the day, its month or its year)."""
    if day.year == date.max.year and (precision != DatePrecision.day or day == date.max):
        return date.max  # the period runs to the end of the calendar
    if precision == DatePrecision.year:
        return date(day.year + 1, 1, 1)
    if precision == DatePrecision.month:
        return date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    return day + timedelta(days=1)


def held_on(employment: Employment | StoredEmployment, day: date) -> tuple[bool, bool]:
    """(possibly held, certainly held) on ``day``, given the precision of the stored dates."""
    start, end, precision = employment.start, employment.end, employment.precision
    if start is not None and start > day:
        return False, False
    if end is not None:
        last_possible = end if precision == DatePrecision.day else period_end(end, precision)
        if day >= last_possible:
            return False, False
    certain = start is not None and day >= period_end(start, precision) - timedelta(days=1) \
        and (end is None or day < end)
    return True, certain


_READERS = {model: TypeAdapter(list[model]) for model in (Employment, StoredEmployment)}  # one call reads them all


def possibly_held(tx: StoreTx, company_id: str, day: date, as_: type[E] = Employment) -> list[E]:
    """The company's employments that may have been held on ``day``, whatever their dates' precision
    (started by then, ended no more than a year before), read as ``as_`` (:class:`StoredEmployment`
    for an account map's thousands); :func:`held_on` tells which were."""
    return _READERS[as_].validate_python(tx.employments_at({company_id: None}, within=(day - _YEAR, day)))


class PersonRef(BaseModel):
    id: str
    name: str
    internal: bool = False


class Position(BaseModel):
    """An employment as read on a date, with its decision layer and seniority worked out."""

    employment: Employment
    company: CompanyRef
    layer: str
    layer_inferred: bool
    seniority: int
    side_position: bool
    certain: bool


class Employer(BaseModel):
    """Where a person worked on a date: main jobs first, then side positions (board seats, advisers)."""

    person: PersonRef
    on: date
    positions: list[Position]


class Member(BaseModel):
    person: PersonRef
    position: Position
    our_strength: float
    via: str | None


class AccountPeople(BaseModel):
    """A company's people on a date, by decision layer then seniority; ``by_layer`` counts them."""

    company: CompanyRef
    on: date
    people: list[Member]
    by_layer: dict[str, int]


class TimelineEntry(BaseModel):
    position: Position
    move_in: JobMove | None
    """The move or role change that began this position, if any."""


class Timeline(BaseModel):
    """A career, oldest position first; ``moves`` lists every move and role change."""

    person: PersonRef
    entries: list[TimelineEntry]
    moves: list[JobMove]


def _person(tx: StoreTx, person_id: str) -> PersonRef:
    found = tx.get_many("person", [person_id])
    if person_id not in found:
        raise NotFound("person", person_id)
    person = found[person_id]
    return PersonRef(id=person.id, name=person.name, internal=person.internal)  # type: ignore[attr-defined]


def _companies(tx: StoreTx, ids: Iterable[str]) -> dict[str, CompanyRef]:
    wanted = sorted(set(ids))
    found = tx.get_many("company", wanted)
    return {id: CompanyRef(id=id, name=found[id].name if id in found else id,  # type: ignore[attr-defined]
                           status=found[id].status if id in found else "other")  # type: ignore[attr-defined]
            for id in wanted}


def position(employment: Employment, company: CompanyRef, certain: bool = True) -> Position:
    layer, inferred = layer_of(employment)
    seniority = employment.seniority if employment.seniority is not None else seniority_of(employment.title)
    return Position(employment=employment, company=company, layer=layer, layer_inferred=inferred,
                    seniority=seniority, side_position=is_side_position(employment), certain=certain)


def _order(p: Position) -> tuple[bool, bool, date, str]:
    return (p.side_position, not p.certain, p.employment.start or date.min, p.employment.id)


def employer_on(*, store: Store, person_id: str, on: date) -> Employer:
    """Where ``person_id`` worked on ``on``: every position held, or possibly held, that day."""

    def run(tx: StoreTx) -> Employer:
        person = _person(tx, person_id)
        held = [(e, held_on(e, on)) for e in tx.employments_of([person_id])]  # type: ignore[misc]
        held = [(e, certain) for e, (possible, certain) in held if possible]
        companies = _companies(tx, (e.company_id for e, _ in held))
        positions = sorted((position(e, companies[e.company_id], certain) for e, certain in held), key=_order)
        return Employer(person=person, on=on, positions=positions)

    return store.read(run)


def our_ties(tx: StoreTx) -> dict[str, OurTie]:
    """Our strongest tie to everyone our team knows, read inside one transaction."""
    team = team_of(tx)
    return strongest({member: member_ties(tx, member) for member in team}, team)


LAYER_ORDER = {"decision_maker": 0, "executor": 1, "user_influencer": 2, "unknown": 3}


def members_on(tx: StoreTx, company_id: str, on: date, ours: Mapping[str, OurTie]) -> list[Member]:
    """Everyone who held (or possibly held) a position at the company on the date, one entry per person."""
    company = _companies(tx, [company_id])[company_id]
    best: dict[str, Position] = {}
    for employment in possibly_held(tx, company_id, on):
        possible, certain = held_on(employment, on)
        if not possible:
            continue
        candidate = position(employment, company, certain)
        known = best.get(employment.person_id)
        if known is None or _order(candidate) < _order(known):
            best[employment.person_id] = candidate
    persons = tx.get_many("person", sorted(best))
    members = []
    for person_id, held in best.items():
        person = persons.get(person_id)
        tie = ours.get(person_id)
        members.append(Member(
            person=PersonRef(id=person_id, name=person.name if person else person_id,  # type: ignore[attr-defined]
                             internal=bool(person and person.internal)),  # type: ignore[attr-defined]
            position=held, our_strength=tie.strength if tie else 0.0, via=tie.via if tie else None))
    members.sort(key=lambda m: (LAYER_ORDER.get(m.position.layer, 3), -m.position.seniority, -m.our_strength,
                                m.person.id))
    return members


def people_on(*, store: Store, company_id: str, on: date) -> AccountPeople:
    """A company's people as of a date, with our tie to each: the account map on that day."""

    def run(tx: StoreTx) -> AccountPeople:
        if not tx.existing_ids("company", [company_id]):
            raise NotFound("company", company_id)
        members = members_on(tx, company_id, on, our_ties(tx))
        by_layer = {layer: 0 for layer in LAYER_ORDER}
        for member in members:
            by_layer[member.position.layer] += 1
        return AccountPeople(company=_companies(tx, [company_id])[company_id], on=on, people=members,
                             by_layer=by_layer)

    return store.read(run)


def timeline(*, store: Store, person_id: str) -> Timeline:
    """A person's career: every position, oldest first, each with the move that began it."""

    def run(tx: StoreTx) -> Timeline:
        person = _person(tx, person_id)
        employments: list[Employment] = tx.employments_of([person_id])  # type: ignore[assignment]
        moves: list[JobMove] = list(list_all(tx, "move", {"person_id": person_id}))
        moves.sort(key=lambda m: (m.on or date.min, m.id))
        into = {m.to_employment_id: m for m in moves}
        companies = _companies(tx, (e.company_id for e in employments))
        entries = [TimelineEntry(position=position(e, companies[e.company_id]), move_in=into.get(e.id))
                   for e in employments]
        entries.sort(key=lambda t: (t.position.employment.start or date.min, t.position.side_position,
                                    t.position.employment.id))
        return Timeline(person=person, entries=entries, moves=moves)

    return store.read(run)
