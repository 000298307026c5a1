"""The Enron emails re-expressed as an mbox of headers, and the pair counts computed straight from the CSV.

Pair count: the number of emails in which two persons appear as sender and
recipient (``to``, ``cc`` or ``bcc``). An email is a group of ``emails.csv``
rows sharing ``(Time, from)``, as in :mod:`graph_service.demo`; rows dated 1979
(known-wrong timestamps) are left out, as the demo does. Persons are the
employees grouped by ``Name`` (``NA`` names stay one person per mailbox), so a
person's several mailboxes count as one, and an email between two mailboxes of
one person joins no pair.
"""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from datetime import datetime, timezone
from email.utils import format_datetime
from pathlib import Path

from graph_service.settings import enron_folder

DATA = enron_folder()
DOMAIN = "enron.com"


def employees() -> tuple[dict[str, str], dict[str, str]]:
    """Row id -> mailbox, and mailbox -> display name ('' for NA)."""
    with open(DATA / "employees.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return {r["id"]: r["Email"] for r in rows}, {r["Email"]: "" if r["Name"] == "NA" else r["Name"] for r in rows}


def person_of_mailbox() -> dict[str, str]:
    """Mailbox -> person key: the Name, or the mailbox for NA."""
    with open(DATA / "employees.csv", newline="", encoding="utf-8") as handle:
        return {r["Email"]: (r["Name"] if r["Name"] != "NA" else f"NA:{r['Email']}") for r in csv.DictReader(handle)}


def emails() -> dict[tuple[str, str], dict[str, set[str]]]:
    """(Time, from row id) -> {"to": row ids, "cc": ..., "bcc": ...}, in file order, 1979 left out."""
    groups: dict[tuple[str, str], dict[str, set[str]]] = {}
    with open(DATA / "emails.csv", newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["Time"].startswith("1979"):
                continue
            group = groups.setdefault((row["Time"], row["from"]), {"to": set(), "cc": set(), "bcc": set()})
            group[row["Reciptype"]].add(row["to"])
    return groups


def expected_pair_counts() -> Counter[frozenset[str]]:
    mailbox, _ = employees()
    person = person_of_mailbox()
    counts: Counter[frozenset[str]] = Counter()
    for (_, sender_row), recipients in emails().items():
        sender = person[mailbox[sender_row]]
        others = {person[mailbox[r]] for kind in recipients.values() for r in kind} - {sender}
        for other in others:
            counts[frozenset((sender, other))] += 1
    return counts


def write_mbox(path: Path) -> int:
    """The emails as an mbox of header blocks (no bodies); returns the number of messages."""
    mailbox, names = employees()

    def address(row: str) -> str:
        box = mailbox[row]
        name = names[box]
        return f'"{name}" <{box}@{DOMAIN}>' if name else f"{box}@{DOMAIN}"

    count = 0
    with open(path, "w", encoding="utf-8", newline="\n") as out:
        for (time, sender), recipients in emails().items():
            at = datetime.fromisoformat(time).replace(tzinfo=timezone.utc)
            out.write(f"From {mailbox[sender]}@{DOMAIN} {at:%a %b %d %H:%M:%S %Y}\n")
            out.write(f"Message-ID: <{time.replace(' ', 'T')}.{sender}@{DOMAIN}>\n")
            out.write(f"Date: {format_datetime(at)}\n")
            out.write(f"From: {address(sender)}\n")
            for header, kind in (("To", "to"), ("Cc", "cc"), ("Bcc", "bcc")):
                if recipients[kind]:
                    out.write(f"{header}: {', '.join(address(r) for r in sorted(recipients[kind], key=int))}\n")
            out.write("\n")
            count += 1
    return count


def graph_pair_counts(interactions: list[dict], persons: list[dict]) -> Counter[frozenset[str]]:
    """Pair counts of stored interactions, with each stored person named by the employee their addresses belong to."""
    person = person_of_mailbox()
    key_of: dict[str, str] = {}
    for p in persons:
        keys = {person[e.split("@")[0]] for e in p["emails"]}
        assert len(keys) == 1, f"{p['id']} holds addresses of several employees: {keys}"
        key_of[p["id"]] = keys.pop()
    counts: Counter[frozenset[str]] = Counter()
    for i in interactions:
        sender = key_of[i["initiator"]]
        for other in {key_of[p] for p in i["participants"] + i["cc"]} - {sender}:
            counts[frozenset((sender, other))] += 1
    return counts


def preloaded_people() -> list[dict]:
    """The employees as persons with every mailbox as an address (as in the demo), to import first."""
    by_person: dict[str, list[str]] = defaultdict(list)
    for box, key in person_of_mailbox().items():
        by_person[key].append(box)
    people = []
    for index, (key, boxes) in enumerate(sorted(by_person.items())):
        name = key.removeprefix("NA:") if key.startswith("NA:") else key
        people.append({"id": f"enron-{index}", "name": name, "emails": [f"{b}@{DOMAIN}" for b in boxes]})
    return people
