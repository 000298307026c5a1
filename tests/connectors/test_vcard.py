"""vCard address books: versions 2.1 to 4.0, sloppy lines, non-ASCII names, duplicates."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from graph_service.connectors import merges, sync, vcard
from graph_service.store.base import Store
from tests.connectors.conftest import TEAM_EMAIL, by_id, counts, person_named, rows

BOOK = "\r\n".join([
    "BEGIN:VCARD",
    "VERSION:2.1",
    "N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:M=C3=BCller;J=C3=B6rg;;;",
    "FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:J=C3=B6rg M=C3=BCller",
    "EMAIL;INTERNET;WORK:Joerg.Mueller@siemens-energy.com",
    "ORG:Siemens Energy AG;Einkauf",
    "TITLE:Leiter Einkauf",
    "END:VCARD",
    "BEGIN:VCARD",
    "VERSION:3.0",
    "FN:Sarah O'Connor",
    "N:O'Connor;Sarah;;;",
    "EMAIL;TYPE=INTERNET,WORK:sarah.oconnor@acme.com",
    "EMAIL;TYPE=INTERNET,HOME:sarah.oc@gmail.com",
    "ORG:Acme\\, Inc.;Operations",
    "TITLE:VP Operations",
    "URL:https://www.linkedin.com/in/sarahoconnor",
    "this line is not a property",
    "NOTE:met at Hannover Messe 2023\\, wants a site visit",
    "END:VCARD",
    "BEGIN:VCARD",
    "VERSION:4.0",
    "FN:王伟",
    "N:王;伟;;;",
    "EMAIL;TYPE=work:wang.wei@huawei.com",
    "ORG:华为技术有限公司;采购部",
    "TITLE:采购总监",
    "X-SOCIALPROFILE;TYPE=linkedin:https://www.linkedin.com/in/wei-wang-88",
    "END:VCARD",
    "some text a phone wrote between cards",
    "BEGIN:VCARD",
    "VERSION:3.0",
    "FN:Sarah O'Connor",
    "EMAIL:sarah.oconnor@acme.com",
    "TEL:+1 555 0100",
    "END:VCARD",
    "BEGIN:VCARD",
    "VERSION:3.0",
    "FN:Dr. Jörg Müller",
    "EMAIL:jm.private@gmx.de",
    "ORG:Siemens Energy",
    "TITLE:Leiter Einkauf",
    "END:VCARD",
    "BEGIN:VCARD",
    "VERSION:3.0",
    "ORG:Globex Corporation",
    "END:VCARD",
    "BEGIN:VCARD",
    "VERSION:3.0",
    "FN:Ana López",
    f"EMAIL:{TEAM_EMAIL}",
    "END:VCARD",
    "BEGIN:VCARD",
    "VERSION:3.0",
    "EMAIL:noname@example.org",
    "END:VCARD",
    "BEGIN:VCARD",
    "VERSION:3.0",
    "FN:Cut Off",
    "EMAIL:cut@example.org",
    "",
])


def book(tmp_path: Path, text: str = BOOK, encoding: str = "utf-8") -> Path:
    path = tmp_path / "contacts.vcf"
    path.write_bytes(text.encode(encoding))
    return path


def test_address_book_becomes_people_companies_titles(store: Store, team: str, tmp_path: Path) -> None:
    plan = vcard.read(book(tmp_path), as_of=date(2024, 3, 1), owner=team)
    assert {(s.line, s.reason) for s in plan.skipped} == {
        (18, "unreadable line"), (30, "text outside a card"), (57, "card without END:VCARD")}
    summary = sync.run(store=store, plan=plan)

    joerg = person_named(store, "Jörg Müller")
    assert joerg["emails"] == ["joerg.mueller@siemens-energy.com", "jm.private@gmx.de"]
    assert sorted((m["rule"], m["into"]) for m in summary.merges) == [("email", team), ("name_company", joerg["id"])], \
        "the second Jörg card (same name, same company) is merged into the first, Ana's own card into Ana"
    sarah = person_named(store, "Sarah O'Connor")
    assert sarah["emails"] == ["sarah.oconnor@acme.com", "sarah.oc@gmail.com"], "the duplicate card folded in"
    assert "linkedin:sarahoconnor" in sarah["tags"]
    wang = person_named(store, "王伟")
    assert "linkedin:wei-wang-88" in wang["tags"]
    assert {c["name"] for c in rows(store, "company")} == {"Siemens Energy AG", "Acme, Inc.", "华为技术有限公司",
                                                           "Globex Corporation"}
    jobs = {j["person_id"]: j for j in rows(store, "employment")}
    assert (jobs[wang["id"]]["title"], jobs[wang["id"]]["department"]) == ("采购总监", "采购部")
    assert (jobs[joerg["id"]]["title"], jobs[joerg["id"]]["department"]) == ("Leiter Einkauf", "Einkauf")
    assert len(jobs) == 3, "one position per person: the merged Jörg card confirms the first"
    noname = [p for p in rows(store, "person") if p["emails"] == ["noname@example.org"]][0]
    assert noname["name"] == "Noname"
    ties = by_id(store, "tie")
    assert len(ties) == 4, "the owner's own card makes no tie"
    assert summary.skipped["tie to the exporter themself"] == 1
    assert counts(store)["person"] == 5


def test_windows_1252_file_and_reimport(store: Store, tmp_path: Path) -> None:
    text = "\r\n".join(["BEGIN:VCARD", "VERSION:2.1", "N:Lefèvre;François", "FN:François Lefèvre",
                        "EMAIL;INTERNET:f.lefevre@totalenergies.com", "ORG:TotalEnergies", "TITLE:Directeur Achats",
                        "END:VCARD", ""])
    path = book(tmp_path, text, "cp1252")
    first = sync.run(store=store, plan=vcard.read(path, as_of=date(2024, 3, 1)))
    assert first.created["person"] == 1 and first.created["tie"] == 0
    assert person_named(store, "François Lefèvre")["emails"] == ["f.lefevre@totalenergies.com"]
    again = sync.run(store=store, plan=vcard.read(path, as_of=date(2024, 3, 1)))
    assert again.total_created == again.total_updated == 0


def test_merge_within_one_book_can_be_undone(store: Store, team: str, tmp_path: Path) -> None:
    sync.run(store=store, plan=vcard.read(book(tmp_path), as_of=date(2024, 3, 1), owner=team))
    (merge,) = [m for m in merges.list_merges(store=store) if m["rule"] == "name_company"]
    assert merge["score"] == 100.0 and merge["evidence"] == "'Jörg Müller' at n:siemens energy"
    assert merge["sources"][0]["kind"] == "vcard" and merge["sources"][0]["line"] == 37
    merges.undo(store=store, id=merge["id"])
    people = [p for p in rows(store, "person") if "Müller" in p["name"]]
    assert sorted(p["emails"][0] for p in people) == ["jm.private@gmx.de", "joerg.mueller@siemens-energy.com"]
    again = sync.run(store=store, plan=vcard.read(book(tmp_path), as_of=date(2024, 3, 1), owner=team))
    assert again.merged == 0, "an undone merge is never made again"
