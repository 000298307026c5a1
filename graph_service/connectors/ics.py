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
    draft = plan.add_person(draft_for_address(email, params.get("CN"), kind=KIND, line=None))
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
    zone = _zone(calendar.get("X-WR-TIMEZONE"), ZoneInfo(default_tz))
    for component in calendar.walk("VEVENT"):
        for line, message in getattr(component, "errors", []):
            plan.skip(None, "unreadable line", f"{component.get('UID', '')}: {message}"[:160])
    interactions = list(_occurrences(plan, calendar, zone, now))
    plan.interactions = lambda: iter(interactions)
    return plan


def _query(plan: Plan, calendar: icalendar.Calendar) -> recurring_ical_events.CalendarQuery:
    """The calendar's occurrences; a series that cannot be expanded (a bad RRULE) is skipped, not fatal."""
    try:
        return recurring_ical_events.CalendarQuery(calendar, False, ("VEVENT",), False)
    except tuple(recurring_ical_events.CalendarQuery.suppressed_errors) as err:  # type: ignore[misc]
        plan.skip(None, "recurring series that cannot be expanded", str(err)[:120])
        return recurring_ical_events.CalendarQuery(calendar, False, ("VEVENT",), True)


def _occurrences(plan: Plan, calendar: icalendar.Calendar, zone: tzinfo, now: datetime) -> Iterator[Interaction]:
    for event in calendar.walk("VEVENT"):
        start = event.get("DTSTART")
        if start is None:
            plan.skip(None, "no start", str(event.get("UID", "")))
        elif _utc(start.dt, zone) > now and event.get("RECURRENCE-ID") is None:
            plan.skip(None, "in the future", str(event.get("UID", "")))
    window_end = now.astimezone(timezone.utc).replace(tzinfo=None) + timedelta(days=2)
    for event in _query(plan, calendar).between(FAR_PAST, window_end):
        uid = str(event.get("UID", ""))
        start = event.get("DTSTART")
        if start is None:
            continue
        at = _utc(start.dt, zone)
        if at > now:
            continue
        if str(event.get("STATUS", "")).upper() == "CANCELLED":
            plan.skip(None, "cancelled", uid)
            continue
        organizer = _person(plan, event.get("ORGANIZER"), uid) if event.get("ORGANIZER") else None
        attendees = [p for p in (_person(plan, a, uid) for a in _addresses(event.get("ATTENDEE"))) if p]
        people = set(attendees) | ({organizer} if organizer else set())
        if len(people) < 2:
            plan.skip(None, "fewer than two people", uid)
            continue
        occurrence = event.get("RECURRENCE-ID")
        key = _utc(occurrence.dt, zone).isoformat() if occurrence is not None else at.isoformat()
        participants = sorted(set(attendees) - {organizer}) if organizer else sorted(people)
        kind = InteractionType.meeting if isinstance(start.dt, datetime) else InteractionType.event
        yield Interaction(id=content_id("int", KIND, uid or at.isoformat(), key), type=kind, at=at,
                          initiator=organizer, participants=participants, source=plan.source)
