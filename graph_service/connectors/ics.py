"""iCalendar files (.ics): the meetings that took place, as interactions between their attendees.

Every occurrence of an event up to ``now`` becomes one interaction: timed events
are ``meeting``, all-day events ``event``; the organizer is the initiator and the
attendees are the participants. Recurring events are expanded with
recurring-ical-events (``RRULE``, ``RDATE``, ``EXDATE`` and moved or cancelled
single occurrences). Attendees are people known by their address: our team
members are recognised by the email on their person record, others become
persons of their own (named by ``CN``).

Left out, and counted with the reason: cancelled events (``STATUS:CANCELLED``,
for a whole series or one occurrence), occurrences still in the future, events
without a start, and events with fewer than two people once rooms and
resources (``CUTYPE=ROOM|RESOURCE``), declined attendees and non-email
addresses are dropped. Recurring series that cannot be expanded are skipped.

Times
-----
Every time is stored in UTC. A time with a ``TZID`` (an IANA name, or a
Windows name defined by the file's ``VTIMEZONE``) or in UTC is exact. A
floating time (no zone) is read in the calendar's ``X-WR-TIMEZONE``, else in
``default_tz``; all-day events start at midnight there. The interaction id is
derived from the event ``UID`` and the occurrence's ``RECURRENCE-ID`` (else its
start), so re-importing a calendar, or the same meeting from another attendee's
calendar, updates instead of duplicating.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import icalendar
import recurring_ical_events

from graph_service.connectors.base import Plan, draft_for_address, normalise_email
from graph_service.errors import InvalidInput, Problem
from graph_service.model import Interaction, InteractionType, Source, content_id

KIND = "ics"
FAR_PAST = datetime(1900, 1, 1)
LEFT_OUT = {"ROOM", "RESOURCE"}


def _zone(name: str | None, default: tzinfo) -> tzinfo:
    if not name:
        return default
    try:
        return ZoneInfo(str(name))
    except (ZoneInfoNotFoundError, ValueError):
        return default


def _utc(value: date | datetime, zone: tzinfo) -> datetime:
    if not isinstance(value, datetime):
        value = datetime.combine(value, time(0, 0))
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone)
    return value.astimezone(timezone.utc)


def _addresses(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _person(plan: Plan, address: Any, uid: str) -> str | None:
    """The draft id of an organizer or attendee, or None for rooms, declines and non-email addresses."""
    params = getattr(address, "params", {})
    if str(params.get("CUTYPE", "")).upper() in LEFT_OUT or str(params.get("PARTSTAT", "")).upper() == "DECLINED":
        return None
    email = normalise_email(str(address))
    if email is None:
        return None
    name = params.get("CN")
    draft = plan.add_person(draft_for_address(email, " ".join(name) if isinstance(name, list) else name,
                                              kind=KIND, line=None))
    return draft.id


def read(path: Path, *, as_of: date | None = None, owner: str | None = None, source: Source = Source.sales_accounts,
         now: datetime | None = None, default_tz: str = "UTC", file_name: str | None = None) -> Plan:
    """The plan of one calendar file; meetings after ``now`` (default: the current time) are left out."""
    now = now or datetime.now(timezone.utc)
    plan = Plan(kind=KIND, file=file_name or path.name, source=source, as_of=as_of or now.date(), owner=owner)
    try:
        calendar = icalendar.Calendar.from_ical(path.read_bytes())
    except ValueError as err:
        raise InvalidInput(Problem("file", f"{plan.file} is not an iCalendar file: {err}")) from err
    except Exception as err:  # noqa: BLE001 - icalendar fails on some broken values (a zone name) in other ways
        raise InvalidInput(Problem("file", f"{plan.file} cannot be read: {type(err).__name__}: {err}"[:300])) from err
    zone = _zone(calendar.get("X-WR-TIMEZONE"), ZoneInfo(default_tz))
    for component in calendar.walk("VEVENT"):
        for line, message in getattr(component, "errors", []):
            plan.skip(None, "unreadable line", f"{component.get('UID', '')}: {message}"[:160])
    interactions = list(_occurrences(plan, calendar, zone, now))
    plan.interactions = lambda: iter(interactions)
    return plan


def _problem(event: Any, zone: tzinfo) -> str | None:
    """Why an event cannot be read, or None. icalendar reports broken values lazily and in many ways
    (ValueError, TypeError, OSError for a zone name it cannot look up ...), so each is tried here once."""
    try:
        if event.get("DTSTART") is None:
            return "no start"
        _utc(event.get("DTSTART").dt, zone)
        if event.get("RECURRENCE-ID") is not None:
            _utc(event.get("RECURRENCE-ID").dt, zone)
        for name in ("EXDATE", "RDATE"):
            for value in _addresses(event.get(name)):
                [_utc(d.dt, zone) for d in value.dts]
        str(event.get("ORGANIZER", "")), [str(a) for a in _addresses(event.get("ATTENDEE"))]
    except Exception as err:  # noqa: BLE001 - see the docstring
        return f"unreadable event: {type(err).__name__}"
    return None


def _series(plan: Plan, calendar: icalendar.Calendar, zone: tzinfo) -> Iterator[icalendar.Calendar]:
    """One small calendar per event UID (with the file's time zones), so one broken series costs only itself."""
    zones = [c for c in calendar.subcomponents if c.name == "VTIMEZONE"]
    by_uid: dict[str, list[Any]] = {}
    for number, event in enumerate(c for c in calendar.subcomponents if c.name == "VEVENT"):
        uid = str(event.get("UID", "")) or f"#{number}"
        event.subcomponents = [c for c in event.subcomponents if c.name != "VEVENT"]  # only alarms belong inside
        problem = _problem(event, zone)
        if problem:
            plan.skip(None, problem, uid)
            continue
        by_uid.setdefault(uid, []).append(event)
    for events in by_uid.values():
        single = icalendar.Calendar()
        single.subcomponents = [*zones, *events]
        yield single


def _occurrences(plan: Plan, calendar: icalendar.Calendar, zone: tzinfo, now: datetime) -> Iterator[Interaction]:
    window_end = now.astimezone(timezone.utc).replace(tzinfo=None) + timedelta(days=2)
    for series in _series(plan, calendar, zone):
        events = [c for c in series.subcomponents if c.name == "VEVENT"]
        uid = str(events[0].get("UID", ""))
        if all(_utc(e.get("DTSTART").dt, zone) > now for e in events):
            plan.skip(None, "in the future", uid)
            continue
        try:
            occurrences = list(recurring_ical_events.CalendarQuery(series, False, ("VEVENT",), False)
                               .between(FAR_PAST, window_end))
        except Exception as err:  # noqa: BLE001 - a bad RRULE fails in many ways; it costs only its series
            plan.skip(None, "recurring series that cannot be expanded", f"{uid}: {type(err).__name__}")
            continue
        for event in occurrences:
            try:
                interaction = _interaction(plan, event, zone, now)
            except (AttributeError, TypeError, ValueError) as err:  # an occurrence with a broken value
                plan.skip(None, f"unreadable event: {type(err).__name__}", uid)
                continue
            if interaction is not None:
                yield interaction


def _interaction(plan: Plan, event: Any, zone: tzinfo, now: datetime) -> Interaction | None:
    uid = str(event.get("UID", ""))
    start = event.get("DTSTART")
    at = _utc(start.dt, zone)
    if at > now:
        return None
    if str(event.get("STATUS", "")).upper() == "CANCELLED":
        plan.skip(None, "cancelled", uid)
        return None
    organizer = _person(plan, event.get("ORGANIZER"), uid) if event.get("ORGANIZER") else None
    attendees = [p for p in (_person(plan, a, uid) for a in _addresses(event.get("ATTENDEE"))) if p]
    people = set(attendees) | ({organizer} if organizer else set())
    if len(people) < 2:
        plan.skip(None, "fewer than two people", uid)
        return None
    occurrence = event.get("RECURRENCE-ID")
    key = _utc(occurrence.dt, zone).isoformat() if occurrence is not None else at.isoformat()
    participants = sorted(set(attendees) - {organizer}) if organizer else sorted(people)
    kind = InteractionType.meeting if isinstance(start.dt, datetime) else InteractionType.event
    return Interaction(id=content_id("int", KIND, uid or at.isoformat(), key), type=kind, at=at,
                       initiator=organizer, participants=participants, source=plan.source)
