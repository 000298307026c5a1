"""LinkedIn Connections.csv: persons, current positions, ties; dry run; incremental sync into job moves."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from graph_service.connectors import linkedin, sync
from graph_service.errors import InvalidInput
from graph_service.store.base import Store
from tests.connectors.conftest import by_id, counts, person_named, rows

NOTES = (
    "Notes:\n"
    '"When exporting your connection data, you may notice that some of the email addresses are missing. You will '
    "only see email addresses for connections who have allowed their connections to see or download their email "
    'address using this setting https://www.linkedin.com/psettings/privacy/email."\n'
    "\n"
)
HEADER = "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
ROWS = [
    "Jörg,Müller,https://www.linkedin.com/in/j%C3%B6rg-m%C3%BCller-4a1b2c,joerg.mueller@siemens-energy.com,"
    "Siemens Energy AG,Leiter Einkauf,05 Mar 2021",
    "伟,王,https://www.linkedin.com/in/wei-wang-88,,华为技术有限公司,采购总监,12 Jan 2020",
    'Sarah,O\'Connor,https://www.linkedin.com/in/sarahoconnor,,"Acme, Inc.","VP, Operations",01 Feb 2019',
    "François,Lefèvre,https://www.linkedin.com/in/flefevre/,,TotalEnergies,Directeur Achats,23 Nov 2022",
    "Ana,,https://www.linkedin.com/in/ana-x,,,,",
    "broken,row,with,too,few",
    'Priya,Sharma,https://linkedin.com/in/priya-sharma-1,PRIYA.Sharma@Infosys.com,Infosys,"Head of IT, Europe",7 Jul 2018',
    "Jörg,Müller,https://www.linkedin.com/in/j%C3%B6rg-m%C3%BCller-4a1b2c,joerg.mueller@siemens-energy.com,"
    "Siemens Energy AG,Leiter Einkauf,05 Mar 2021",
    "Tom,Baker,not-a-url,,Foo Ltd,Bar,01 Jan 2020",
    ",,https://www.linkedin.com/in/deleted-member,,,,",
    "Kai,Schmidt,https://www.linkedin.com/in/kai-schmidt,,,,sometime",
]


def export(tmp_path: Path, rows: list[str], name: str = "Connections.csv") -> Path:
    path = tmp_path / name
    path.write_text("\ufeff" + NOTES + HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_first_export_creates_people_positions_and_ties(store: Store, team: str, tmp_path: Path) -> None:
    plan = linkedin.read(export(tmp_path, ROWS), owner=team, as_of=date(2024, 1, 15))
    assert {(s.line, s.reason) for s in plan.skipped} == {
        (10, "malformed row"), (13, "not a LinkedIn profile URL"), (14, "no name")}

    preview = sync.run(store=store, plan=plan, dry_run=True)
    assert counts(store)["person"] == 1, "a dry run writes nothing"
    summary = sync.run(store=store, plan=linkedin.read(export(tmp_path, ROWS), owner=team, as_of=date(2024, 1, 15)))

    assert summary.created == preview.created == {"company": 5, "person": 7, "employment": 5, "tie": 7, "interaction": 0}
    assert summary.skipped == {"malformed row": 1, "not a LinkedIn profile URL": 1, "no name": 1}
    joerg = person_named(store, "Jörg Müller")
    assert joerg["id"] == "li:jorg-muller-4a1b2c-" + joerg["id"].rsplit("-", 1)[1]
    assert "linkedin:jörg-müller-4a1b2c" in joerg["tags"] and "via:linkedin" in joerg["tags"]
    assert person_named(store, "Priya Sharma")["emails"] == ["priya.sharma@infosys.com"]
    assert person_named(store, "伟 王")["id"] == "li:wei-wang-88"
    companies = {c["name"]: c["id"] for c in rows(store, "company")}
    assert companies["Acme, Inc."] == "co:acme" and companies["华为技术有限公司"].startswith("co-")
    jobs = {(j["person_id"], j["company_id"]): j for j in rows(store, "employment")}
    sarah = jobs[("li:sarahoconnor", "co:acme")]
    assert (sarah["title"], sarah["start"], sarah["end"], sarah["source"]) == ("VP, Operations", "2024-01-15", None,
                                                                               "personal_network")
    ties = by_id(store, "tie")
    assert ties["tie-ana--li:sarahoconnor"]["since"] == "2019-02-01"
    assert ties["tie-ana--li:sarahoconnor"]["source"] == "personal_network"
    assert ties["tie-ana--li:kai-schmidt"]["since"] is None, "an unreadable date leaves since empty"


def test_same_export_twice_changes_nothing(store: Store, team: str, tmp_path: Path) -> None:
    path = export(tmp_path, ROWS)
    sync.run(store=store, plan=linkedin.read(path, owner=team, as_of=date(2024, 1, 15)))
    before = counts(store)
    again = sync.run(store=store, plan=linkedin.read(path, owner=team, as_of=date(2024, 1, 15)))
    assert again.total_created == again.total_updated == 0
    assert again.unchanged["person"] == 7 and again.unchanged["employment"] == 5
    assert counts(store) == before


def test_newer_export_adds_what_changed_and_reveals_job_moves(store: Store, team: str, tmp_path: Path) -> None:
    sync.run(store=store, plan=linkedin.read(export(tmp_path, ROWS), owner=team, as_of=date(2024, 1, 15)))
    newer = [row for row in ROWS if not row.startswith("Priya")]  # a removed connection is not deleted
    newer = [r.replace('"Acme, Inc.","VP, Operations"', "Globex Corporation,COO") for r in newer]
    newer = [r.replace("Directeur Achats", "Directeur Général") for r in newer]
    newer.append("Lena,Nowak,https://www.linkedin.com/in/lena-nowak,,Acme Inc,Head of Procurement,02 Jun 2024")
    path = export(tmp_path, newer, "Connections-2024-07.csv")

    preview = sync.run(store=store, plan=linkedin.read(path, owner=team, as_of=date(2024, 7, 1)), dry_run=True)
    summary = sync.run(store=store, plan=linkedin.read(path, owner=team, as_of=date(2024, 7, 1)))

    assert summary.created["person"] == 1 and summary.created["tie"] == 1
    assert summary.created["company"] == 1, "Globex is new; 'Acme Inc' is the known 'Acme, Inc.'"
    assert summary.moves == preview.moves == 1
    assert [(m["person_id"], m["type"], m["from"], m["to"]) for m in preview.job_moves] == [
        ("li:sarahoconnor", "move", "co:acme", "co:globex"), ("li:flefevre", "role_change", "co:totalenergies",
                                                              "co:totalenergies")]
    moves = {(m["person_id"], m["type"]): m for m in rows(store, "move")}
    assert moves[("li:sarahoconnor", "move")]["on"] == "2024-07-01"
    assert moves[("li:sarahoconnor", "move")]["source"] == "connect:linkedin"
    assert ("li:flefevre", "role_change") in moves
    jobs = {(j["person_id"], j["company_id"], j["title"]): j for j in rows(store, "employment")}
    assert jobs[("li:sarahoconnor", "co:acme", "VP, Operations")]["end"] == "2024-07-01"
    assert jobs[("li:priya-sharma-1", "co:infosys", "Head of IT, Europe")]["end"] is None
    assert jobs[("li:lena-nowak", "co:acme", "Head of Procurement")]["start"] == "2024-07-01"

    older = sync.run(store=store, plan=linkedin.read(export(tmp_path, ROWS, "old.csv"), owner=team,
                                                     as_of=date(2024, 1, 15)))
    assert older.skipped.get("newer employment known", 0) >= 2, "a late, older export never undoes newer knowledge"
    assert older.moves == 0 and older.created["employment"] == 0


def test_the_exporter_must_be_known_and_the_file_must_be_an_export(store: Store, team: str, tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="exporting team member"):
        sync.run(store=store, plan=linkedin.read(export(tmp_path, ROWS), owner="nobody", as_of=date(2024, 1, 1)))
    other = tmp_path / "people.csv"
    other.write_text("id,name\nx,X\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match="not a LinkedIn"):
        linkedin.read(other, owner=team, as_of=date(2024, 1, 1))
    missing = tmp_path / "partial.csv"
    missing.write_text("First Name,Last Name,URL\nA,B,https://www.linkedin.com/in/ab\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match="missing column"):
        linkedin.read(missing, owner=team, as_of=date(2024, 1, 1))


def test_connected_on_formats() -> None:
    assert linkedin.connected_on("05 Mar 2021") == date(2021, 3, 5)
    assert linkedin.connected_on("7 Jul 2018") == date(2018, 7, 7)
    assert linkedin.connected_on("2020-02-29") == date(2020, 2, 29)
    assert linkedin.connected_on("someday") is None
