"""iCalendar: meetings as interactions, in UTC whatever zone the calendar wrote them in."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from graph_service import records
from graph_service.connectors import ics, sync
from graph_service.errors import InvalidInput
from graph_service.model import Person
from graph_service.store.base import Store
from tests.connectors.conftest import TEAM_EMAIL, by_id, person_named, rows

NOW = datetime(2024, 6, 1, tzinfo=timezone.utc)

OUTLOOK = f"""BEGIN:VCALENDAR
PRODID:-//Microsoft Corporation//Outlook 16.0 MIMEDIR//EN
VERSION:2.0
METHOD:PUBLISH
BEGIN:VTIMEZONE
TZID:W. Europe Standard Time
BEGIN:STANDARD
DTSTART:16011028T030000
RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:16010325T020000
RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
END:DAYLIGHT
END:VTIMEZONE
BEGIN:VEVENT
UID:040000008200E00074C5B7101A82E008-siemens-weekly
SUMMARY:Siemens Energy – weekly account sync
DTSTART;TZID=W. Europe Standard Time:20240314T090000
DTEND;TZID=W. Europe Standard Time:20240314T093000
RRULE:FREQ=WEEKLY;COUNT=5
EXDATE;TZID=W. Europe Standard Time:20240328T090000
ORGANIZER;CN="López, Ana":mailto:{TEAM_EMAIL.upper()}
ATTENDEE;CN="Müller, Jörg";ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED:mailto:joerg.mueller@siemens-energy.com
ATTENDEE;CUTYPE=ROOM;CN=Berlin Room 4.12;PARTSTAT=ACCEPTED:mailto:room-4-12@ourco.com
X-MICROSOFT-CDO-BUSYSTATUS BUSY
END:VEVENT
BEGIN:VEVENT
UID:040000008200E00074C5B7101A82E008-siemens-weekly
RECURRENCE-ID;TZID=W. Europe Standard Time:20240321T090000
DTSTART;TZID=W. Europe Standard Time:20240321T150000
DTEND;TZID=W. Europe Standard Time:20240321T153000
ORGANIZER;CN="López, Ana":mailto:{TEAM_EMAIL}
ATTENDEE;CN="Müller, Jörg";PARTSTAT=ACCEPTED:mailto:joerg.mueller@siemens-energy.com
END:VEVENT
BEGIN:VEVENT
UID:040000008200E00074C5B7101A82E008-siemens-weekly
RECURRENCE-ID;TZID=W. Europe Standard Time:20240404T090000
DTSTART;TZID=W. Europe Standard Time:20240404T090000
STATUS:CANCELLED
ORGANIZER;CN="López, Ana":mailto:{TEAM_EMAIL}
ATTENDEE;CN="Müller, Jörg":mailto:joerg.mueller@siemens-energy.com
END:VEVENT
BEGIN:VEVENT
UID:cancelled-visit
DTSTART;TZID=W. Europe Standard Time:20240220T100000
STATUS:CANCELLED
ORGANIZER:mailto:{TEAM_EMAIL}
ATTENDEE:mailto:joerg.mueller@siemens-energy.com
END:VEVENT
BEGIN:VEVENT
UID:future-site-survey
DTSTART;TZID=W. Europe Standard Time:20240715T100000
ORGANIZER:mailto:{TEAM_EMAIL}
ATTENDEE:mailto:joerg.mueller@siemens-energy.com
END:VEVENT
BEGIN:VEVENT
UID:declined-only
DTSTART;TZID=W. Europe Standard Time:20240305T100000
ORGANIZER:mailto:{TEAM_EMAIL}
ATTENDEE;PARTSTAT=DECLINED:mailto:joerg.mueller@siemens-energy.com
ATTENDEE;CUTYPE=RESOURCE:mailto:projector@ourco.com
END:VEVENT
END:VCALENDAR
"""

GOOGLE = f"""BEGIN:VCALENDAR
PRODID:-//Google Inc//Google Calendar 70.9054//EN
VERSION:2.0
CALSCALE:GREGORIAN
X-WR-CALNAME:ben@ourco.com
X-WR-TIMEZONE:America/New_York
BEGIN:VEVENT
UID:floating-lunch@google.com
DTSTART:20240501T100000
SUMMARY:Lunch
ORGANIZER;CN=Ben Carter:mailto:ben@ourco.com
ATTENDEE;CN=Sarah O'Connor;PARTSTAT=ACCEPTED:mailto:sarah.oconnor@acme.com
END:VEVENT
BEGIN:VEVENT
UID:utc-call@google.com
DTSTART:20240502T150000Z
ORGANIZER;CN=Ben Carter:mailto:ben@ourco.com
ATTENDEE;CN=王伟:mailto:wang.wei@huawei.com
ATTENDEE;CN=Ana López:mailto:{TEAM_EMAIL}
END:VEVENT
BEGIN:VEVENT
UID:shanghai-visit@google.com
DTSTART;TZID=Asia/Shanghai:20240503T100000
ORGANIZER;CN=王伟:mailto:wang.wei@huawei.com
ATTENDEE;CN=Ben Carter:mailto:ben@ourco.com
END:VEVENT
BEGIN:VEVENT
UID:hannover-messe@google.com
DTSTART;VALUE=DATE:20240510
DTEND;VALUE=DATE:20240511
SUMMARY:Trade show booth
ATTENDEE;CN=Ben Carter:mailto:ben@ourco.com
ATTENDEE;CN=Sarah O'Connor:mailto:sarah.oconnor@acme.com
END:VEVENT
BEGIN:VEVENT
UID:040000008200E00074C5B7101A82E008-siemens-weekly
RECURRENCE-ID;TZID=Europe/Berlin:20240314T090000
DTSTART;TZID=Europe/Berlin:20240314T090000
ORGANIZER:mailto:{TEAM_EMAIL}
ATTENDEE:mailto:joerg.mueller@siemens-energy.com
ATTENDEE:mailto:ben@ourco.com
END:VEVENT
END:VCALENDAR
"""


@pytest.fixture
def ben(store: Store, team: str) -> str:
    records.save(store=store, entity="person",
                 records=[Person(id="ben", name="Ben Carter", emails=["ben@ourco.com"], internal=True)])
    return "ben"


def calendar(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text.replace("\n", "\r\n"), encoding="utf-8")
    return path


def meetings(store: Store) -> list[tuple[str, str, str, list[str]]]:
    return sorted((i["at"], i["type"], i["initiator"] or "", i["participants"]) for i in rows(store, "interaction"))


def test_outlook_calendar_with_windows_zone_recurrence_and_cancellations(store: Store, team: str, tmp_path: Path) -> None:
    plan = ics.read(calendar(tmp_path, "ana.ics", OUTLOOK), owner=team, now=NOW)
    summary = sync.run(store=store, plan=plan)

    joerg = person_named(store, "Müller, Jörg")["id"]
    assert meetings(store) == [
        ("2024-03-14T08:00:00Z", "meeting", team, [joerg]),  # 09:00 CET
        ("2024-03-21T14:00:00Z", "meeting", team, [joerg]),  # moved to 15:00 CET
        ("2024-04-11T07:00:00Z", "meeting", team, [joerg]),  # 09:00 CEST, after the clocks changed
    ]
    assert summary.skipped == {"cancelled": 2, "in the future": 1, "fewer than two people": 1, "unreadable line": 1}
    assert summary.merged == 0, "Ana is recognised by her address, whatever its case"
    assert {p["id"] for p in rows(store, "person")} == {team, joerg}, "rooms and resources are not people"


def test_google_calendar_zones_floating_and_all_day(store: Store, team: str, ben: str, tmp_path: Path) -> None:
    sync.run(store=store, plan=ics.read(calendar(tmp_path, "ana.ics", OUTLOOK), owner=team, now=NOW))
    summary = sync.run(store=store, plan=ics.read(calendar(tmp_path, "ben.ics", GOOGLE), owner=ben, now=NOW))

    sarah = person_named(store, "Sarah O'Connor")["id"]
    wang = person_named(store, "王伟")["id"]
    joerg = person_named(store, "Müller, Jörg")["id"]
    found = meetings(store)
    assert ("2024-05-01T14:00:00Z", "meeting", ben, [sarah]) in found  # floating 10:00 in New York
    assert ("2024-05-02T15:00:00Z", "meeting", ben, sorted([team, wang])) in found
    assert ("2024-05-03T02:00:00Z", "meeting", wang, [ben]) in found  # 10:00 in Shanghai
    assert ("2024-05-10T04:00:00Z", "event", "", sorted([ben, sarah])) in found  # all day, from midnight New York
    assert ("2024-03-14T08:00:00Z", "meeting", team, sorted([ben, joerg])) in found
    assert len(found) == 7, "the weekly meeting seen in Ben's calendar too is the same interaction (same UID)"
    assert summary.created["interaction"] == 4 and summary.updated["interaction"] == 1
    assert summary.created["person"] == 2


def test_same_calendar_twice_changes_nothing(store: Store, team: str, tmp_path: Path) -> None:
    path = calendar(tmp_path, "ana.ics", OUTLOOK)
    sync.run(store=store, plan=ics.read(path, owner=team, now=NOW))
    again = sync.run(store=store, plan=ics.read(path, owner=team, now=NOW))
    assert again.total_created == again.total_updated == 0 and again.unchanged["interaction"] == 3
    assert len(by_id(store, "interaction")) == 3


def test_not_a_calendar(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="not an iCalendar"):
        ics.read(calendar(tmp_path, "x.ics", "hello\n"), now=NOW)
