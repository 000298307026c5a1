"""The Enron demo mapping, checked against the CSV files themselves."""

from __future__ import annotations

import csv
from collections import defaultdict
from datetime import datetime, timezone
from pathlib import Path

import pytest

from graph_service.demo import DEMO_TEAM, KINDS, enron_records
from graph_service.errors import InvalidInput
from graph_service.model import Employment, Interaction, Person, Record
from graph_service.settings import Settings

DATA = Path(Settings(env="test").demo_data)


def read_csv(name: str) -> list[dict[str, str]]:
    with open(DATA / name, newline="", encoding="utf-8") as file:
        return list(csv.DictReader(file))


@pytest.fixture(scope="module")
def demo() -> dict[str, list[Record]]:
    return {kind: list(stream) for kind, stream in enron_records(DATA, team=DEMO_TEAM).items()}


@pytest.fixture(scope="module")
def employees() -> list[dict[str, str]]:
    return read_csv("employees.csv")


def person_of_mailbox(demo: dict[str, list[Record]]) -> dict[str, str]:
    return {email.split("@")[0]: p.id for p in demo["person"] for email in p.emails}  # type: ignore[attr-defined]


def test_kinds_in_import_order(demo: dict[str, list[Record]]) -> None:
    assert list(demo) == list(KINDS) == ["person", "company", "employment", "interaction"]
    (enron,) = demo["company"]
    assert (enron.id, enron.status, enron.industry, enron.ownership, enron.health) == (  # type: ignore[attr-defined]
        "enron", "customer", "energy", "listed", "declining")


def test_one_person_per_distinct_name_and_one_per_unnamed_mailbox(demo: dict[str, list[Record]], employees: list[dict[str, str]]) -> None:
    named = {row["Name"] for row in employees if row["Name"] != "NA"}
    unnamed = [row for row in employees if row["Name"] == "NA"]
    persons: list[Person] = demo["person"]  # type: ignore[assignment]
    assert len(persons) == len(named) + len(unnamed) == 149
    assert len({p.id for p in persons}) == len(persons)
    assert sorted(m for p in persons for m in p.emails) == sorted(f"{row['Email']}@enron.com" for row in employees)
    kaminski = next(p for p in persons if p.name == "Vince Kaminski")
    assert kaminski.id == "enron:vince.kaminski"
    assert sorted(kaminski.emails) == ["j..kaminski@enron.com", "j.kaminski@enron.com", "vince.kaminski@enron.com"]
    martin = person_of_mailbox(demo)["a..martin"]
    assert martin == "enron:thomas.martin"
    assert next(p for p in persons if p.id == "enron:bill.williams").name == "Bill Williams"


def test_skilling_is_there_with_his_title(demo: dict[str, list[Record]]) -> None:
    skilling = next(p for p in demo["person"] if p.id == "enron:jeff.skilling")
    assert skilling.name == "Jeffery Skilling"  # type: ignore[attr-defined]
    jobs: list[Employment] = [e for e in demo["employment"] if e.person_id == skilling.id]  # type: ignore[attr-defined]
    assert [(j.company_id, j.title, j.start.isoformat(), j.end, j.precision) for j in jobs] == [  # type: ignore[union-attr]
        ("enron", "CEO", "1998-01-01", None, "year")]


def test_unknown_positions_give_an_empty_title_and_no_layer(demo: dict[str, list[Record]]) -> None:
    jobs = {e.person_id: e for e in demo["employment"]}  # type: ignore[attr-defined]
    assert len(jobs) == len(demo["person"])
    assert jobs["enron:andrea.ring"].title == ""  # type: ignore[attr-defined]
    assert jobs["enron:louise.kitchen"].title == "President, Enron Online"  # type: ignore[attr-defined]
    assert all(e.decision_layer is None for e in jobs.values())  # type: ignore[attr-defined]


def test_team_is_marked_and_unknown_team_ids_are_refused(demo: dict[str, list[Record]]) -> None:
    assert {p.id for p in demo["person"] if p.internal} == set(DEMO_TEAM)  # type: ignore[attr-defined]
    assert not any(p.internal for p in enron_records(DATA)["person"])  # type: ignore[attr-defined]
    with pytest.raises(InvalidInput, match="enron:nobody"):
        enron_records(DATA, team=["enron:nobody"])


def test_a_folder_without_the_files_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="employees.csv not found"):
        enron_records(tmp_path)


def test_rows_of_one_time_and_sender_are_one_email(demo: dict[str, list[Record]], employees: list[dict[str, str]]) -> None:
    mailbox = {row["id"]: row["Email"] for row in employees}
    group = [row for row in read_csv("emails.csv") if (row["Time"], row["from"]) == ("2001-01-23 07:10:00", "58")]
    assert mailbox["58"] == "james.steffes" and len(group) == 10
    assert {(row["Reciptype"], mailbox[row["to"]]) for row in group} == {
        ("to", "david.delainey"), ("to", "john.lavorato"), ("to", "kevin.presto"),
        ("cc", "richard.shapiro"), ("bcc", "richard.shapiro"),
    }
    at = datetime(2001, 1, 23, 7, 10, tzinfo=timezone.utc)
    (email,) = [i for i in demo["interaction"] if i.at == at and i.initiator == "enron:james.steffes"]  # type: ignore[attr-defined]
    assert (email.type, email.source) == ("email", "company_archives")
    assert email.participants == ["enron:david.delainey", "enron:john.lavorato", "enron:kevin.presto"]
    assert email.cc == ["enron:richard.shapiro"]


def test_every_email_counted_once_and_1979_dropped(demo: dict[str, list[Record]], employees: list[dict[str, str]]) -> None:
    rows = read_csv("emails.csv")
    assert sum(row["Time"].startswith("1979") for row in rows) == 174
    person = {row["id"]: p for row in employees for p in [person_of_mailbox(demo)[row["Email"]]]}
    recipients: dict[tuple[str, str], set[str]] = defaultdict(set)
    for row in rows:
        if not row["Time"].startswith("1979"):
            recipients[(row["Time"], row["from"])].add(person[row["to"]])
    expected = sum(1 for (_, sender), to in recipients.items() if to - {person[sender]})
    emails: list[Interaction] = demo["interaction"]  # type: ignore[assignment]
    assert len(emails) == expected == 20_091
    assert len({e.id for e in emails}) == len(emails)
    assert min(e.at for e in emails).year == 1998
    known = {p.id for p in demo["person"]}
    assert all(set(e.persons()) <= known and e.initiator not in e.participants for e in emails)


def test_emails_out_of_time_order_are_refused(tmp_path: Path) -> None:
    (tmp_path / "employees.csv").write_text((DATA / "employees.csv").read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "emails.csv").write_text(
        "Time,Reciptype,Topic,LDC_topic,from,to\n"
        "2001-05-01 10:00:00,to,1,0,67,94\n"
        "2001-04-01 10:00:00,to,1,0,94,67\n",
        encoding="utf-8",
    )
    with pytest.raises(InvalidInput, match="sorted by Time"):
        list(enron_records(tmp_path)["interaction"])
