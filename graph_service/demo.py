"""The Enron demo: the real Enron email network mapped into the domain model.

The data set (``employees.csv`` and ``emails.csv``, see its README) is the
igraphdata ``enron`` graph: 184 mailboxes of Enron employees with their
positions, and 125,409 recipient rows of the emails between them. It becomes:

- one company ``enron`` (a listed energy customer in decline);
- one person per employee, id ``enron:<mailbox>``;
- one employment per person at Enron, titled with the position from ``Note``;
- one ``email`` interaction per sent email, source ``company_archives``.

Mapping choices
---------------
People with two or three mailboxes
    The data set lists some people under several mailboxes (``j..kaminski``,
    ``j.kaminski`` and ``vince.kaminski`` are all Vince Kaminski). Rows with the
    same ``Name`` become one person who has every mailbox as an email address;
    the person's id uses one mailbox, preferring the one spelled like the name
    (``vince.kaminski``), then one without an elided middle initial (no ``..``),
    then the first listed. Rows whose ``Name`` is ``NA`` stay one person each,
    named after the mailbox (``bill.williams`` -> "Bill Williams").
Titles
    ``Note`` is kept verbatim as the title ("Vice President, Enron Online",
    "CEO"); ``NA`` gives an empty title. The note mixes rank, function and
    department too irregularly to split, so the department stays empty and the
    decision layer is left to be inferred from the title.
Dates of employment
    Every employment starts 1998-01-01 with precision ``year`` (the earliest
    emails are from 1998) and has no end: Enron collapsed in December 2001, but
    an open end keeps these people on the current account map, which is what
    the demo shows.
Emails
    The recipient rows sharing a ``(Time, from)`` pair are one email: ``to``
    rows give the participants, ``cc`` and ``bcc`` rows the copied persons, the
    sender is the initiator. An email with no ``to`` recipient other than the
    sender has its copied recipients as participants. Emails whose only
    recipient is the sender (after merging mailboxes) are dropped, as is every
    row dated 1979 (174 rows whose timestamp the README calls wrong). ``Time``
    carries no zone and is read as UTC. The files are read as streams: rows of
    one ``Time`` are buffered, so ``emails.csv`` must be ordered by ``Time``
    (as shipped); a row out of order raises :class:`InvalidInput`.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from graph_service.errors import InvalidInput, Problem
from graph_service.model import Company, Employment, Interaction, Person, Record

COMPANY_ID = "enron"
ID_PREFIX = "enron:"
EMPLOYMENT_START = date(1998, 1, 1)
WRONG_YEAR = "1979"
"""Rows dated 1979 carry a known-wrong timestamp (data set README)."""

DEMO_TEAM: tuple[str, ...] = ("enron:kevin.hyatt", "enron:mike.grigsby", "enron:teb.lokey")
"""Three mid-level employees the demo marks as our team: a pipeline-business
director, a gas-trading manager and a regulatory-affairs manager, each with
hundreds of emails across the company."""

KINDS: tuple[str, ...] = ("person", "company", "employment", "interaction")
"""The kinds :func:`enron_records` yields, in import order."""

_NOT_ID = re.compile(r"[^A-Za-z0-9._:@+\-]")


@dataclass(frozen=True)
class Employee:
    """One person of the data set, with every mailbox they appear under."""

    person_id: str
    name: str
    mailboxes: tuple[str, ...]
    title: str


def enron_records(data_dir: Path, *, team: Sequence[str] = ()) -> dict[str, Iterator[Record]]:
    """The Enron demo as record streams, one per kind, in import order.

    Parameters
    ----------
    data_dir
        Folder holding ``employees.csv`` and ``emails.csv``.
    team
        Person ids to mark as internal (our team); :data:`DEMO_TEAM` is the
        demo's choice. Unknown ids raise :class:`InvalidInput`.

    Returns
    -------
    ``{"person": ..., "company": ..., "employment": ..., "interaction": ...}``;
    each value is a single-use iterator. Employees are read at once (184 rows),
    emails lazily while ``interaction`` is consumed.
    """
    data_dir = Path(data_dir)
    missing = [name for name in ("employees.csv", "emails.csv") if not (data_dir / name).is_file()]
    if missing:
        raise InvalidInput([Problem("data_dir", f"{data_dir / name} not found") for name in missing])
    employees, by_row = read_employees(data_dir / "employees.csv")
    known = {e.person_id for e in employees}
    unknown = [pid for pid in team if pid not in known]
    if unknown:
        raise InvalidInput([Problem("team", f"no Enron person {pid!r}") for pid in unknown])
    return {
        "person": _persons(employees, frozenset(team)),
        "company": iter([enron_company()]),
        "employment": _employments(employees),
        "interaction": emails(data_dir / "emails.csv", by_row),
    }


def enron_company() -> Company:
    """Enron Corp. as an account: listed, energy, about 20,000 staff, 2000 revenue $101bn.

    Health is declining and payment reputation poor: the bankruptcy of December
    2001 left its creditors unpaid.
    """
    return Company(
        id=COMPANY_ID,
        name="Enron Corp.",
        domain="enron.com",
        industry="energy",
        ownership="listed",
        employees=20_000,
        revenue=1.01e11,
        status="customer",
        health="declining",
        payment_reputation="poor",
        account_kind="unknown",
    )


def read_employees(path: Path) -> tuple[list[Employee], dict[str, str]]:
    """The persons of ``employees.csv`` and a map from its row ``id`` to person id.

    Rows with the same ``Name`` are one person (see the module notes).
    """
    with open(path, newline="", encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    groups: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        key = row["Name"] if row["Name"] != "NA" else f"NA:{row['Email']}"
        groups.setdefault(key, []).append(row)
    employees: list[Employee] = []
    by_row: dict[str, str] = {}
    for key, group in groups.items():
        mailboxes = tuple(row["Email"] for row in group)
        name = group[0]["Name"] if not key.startswith("NA:") else name_from_mailbox(mailboxes[0])
        notes = [row["Note"] for row in group if row["Note"] != "NA"]
        person_id = person_id_for(_main_mailbox(name, mailboxes))
        employees.append(Employee(person_id, name, mailboxes, notes[0] if notes else ""))
        by_row.update((row["id"], person_id) for row in group)
    return employees, by_row


def person_id_for(mailbox: str) -> str:
    """``enron:<mailbox>``, with any character an id may not hold replaced by ``-``."""
    return (ID_PREFIX + _NOT_ID.sub("-", mailbox))[:128]


def name_from_mailbox(mailbox: str) -> str:
    """A readable name for a mailbox: ``bill.williams`` -> "Bill Williams", ``d..thomas`` -> "D. Thomas"."""
    parts = [p for p in mailbox.split(".") if p]
    return " ".join(p.capitalize() if len(p) > 1 else f"{p.upper()}." for p in parts)


def _main_mailbox(name: str, mailboxes: Sequence[str]) -> str:
    spelled = ".".join(name.lower().split())
    for mailbox in mailboxes:
        if mailbox == spelled:
            return mailbox
    for mailbox in mailboxes:
        if ".." not in mailbox:
            return mailbox
    return mailboxes[0]


def _persons(employees: Iterable[Employee], team: frozenset[str]) -> Iterator[Person]:
    for e in employees:
        yield Person(
            id=e.person_id,
            name=e.name,
            emails=[f"{m}@enron.com" for m in e.mailboxes],
            internal=e.person_id in team,
            tags=["enron"],
        )


def _employments(employees: Iterable[Employee]) -> Iterator[Employment]:
    for e in employees:
        yield Employment(
            person_id=e.person_id,
            company_id=COMPANY_ID,
            title=e.title,
            start=EMPLOYMENT_START,
            end=None,
            precision="year",
            source="company_archives",
        )


def emails(path: Path, by_row: dict[str, str]) -> Iterator[Interaction]:
    """One ``email`` interaction per ``(Time, from)`` group of ``emails.csv``, streamed.

    ``by_row`` maps the employee row ids used in ``from`` and ``to`` to person ids.
    """
    with open(path, newline="", encoding="utf-8") as file:
        current: str | None = None
        pending: dict[str, tuple[set[str], set[str]]] = {}
        for line, row in enumerate(csv.DictReader(file), start=2):
            time = row["Time"]
            if time != current:
                if current is not None and time < current:
                    raise InvalidInput(Problem("Time", f"{time} after {current}: emails.csv must be sorted by Time", line))
                yield from _flush(current, pending, by_row)
                current, pending = time, {}
            if time.startswith(WRONG_YEAR):
                continue
            to, cc = pending.setdefault(row["from"], (set(), set()))
            (to if row["Reciptype"] == "to" else cc).add(by_row[row["to"]])
        yield from _flush(current, pending, by_row)


def _flush(time: str | None, pending: dict[str, tuple[set[str], set[str]]], by_row: dict[str, str]) -> Iterator[Interaction]:
    """The emails sent at ``time``, one per sender row id, in order of first appearance."""
    if time is None or not pending:
        return
    at = datetime.fromisoformat(time)
    for sender_row, (to, cc) in pending.items():
        sender = by_row[sender_row]
        to, cc = to - {sender}, cc - {sender}
        if not to:
            to, cc = cc, set()
        if not to:
            continue  # only to the sender's own mailboxes
        yield Interaction(
            type="email",
            at=at,
            initiator=sender,
            participants=sorted(to),
            cc=sorted(cc - to),
            source="company_archives",
        )
