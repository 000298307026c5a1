"""CRM exports through a column mapping: accounts, contacts, opportunities, from any CRM without code."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from graph_service.connectors import crm, sync
from graph_service.errors import InvalidInput
from graph_service.store.base import Store
from tests.connectors.conftest import TEAM_EMAIL, by_id, person_named, rows

SALESFORCE = """
system = "salesforce"

[accounts]
key = "Account ID"
name = "Account Name"
domain = "Website"
industry = "Industry"
employees = "Employees"
revenue = "Annual Revenue"
status = "Type"
[accounts.values.status]
"Customer - Direct" = "customer"
"Prospect" = "prospect"
"Competitor" = "competitor"

[contacts]
key = "Contact ID"
first_name = "First Name"
last_name = "Last Name"
email = ["Email", "Alternate Email"]
account_key = "Account ID"
title = "Title"
decision_layer = "Buying Role"
linkedin = "LinkedIn Profile"
owner_email = "Contact Owner Email"
[contacts.values.decision_layer]
"Decision Maker" = "decision_maker"
"Economic Buyer" = "decision_maker"
"Influencer" = "user_influencer"
"Technical Buyer" = "executor"

[opportunities]
key = "Opportunity ID"
account_key = "Account ID"
stage = "Stage"
contact_email = "Primary Contact Email"
owner_email = "Opportunity Owner Email"
[opportunities.values.stage]
"Closed Won" = "won"
"Closed Lost" = "lost"
"""

ACCOUNTS = """Account ID,Account Name,Website,Industry,Employees,Annual Revenue,Type
001A000001,Siemens Energy AG,https://www.siemens-energy.com/global/en.html,Energy,"92,000","$34,000,000,000",Customer - Direct
001A000002,"Acme, Inc.",acme.com,Manufacturing,lots,,Prospect
001A000003,Globex Corporation,www.globex.com,Chemicals,1200,,Competitor
001A000004,,,,,,
001A000005,Initech,initech.com
"""

CONTACTS = f"""Contact ID,First Name,Last Name,Email,Alternate Email,Account ID,Title,Buying Role,LinkedIn Profile,Contact Owner Email
003A000001,Jörg,Müller,Joerg.Mueller@siemens-energy.com,,001A000001,Leiter Einkauf,Decision Maker,,{TEAM_EMAIL}
003A000002,Sarah,O'Connor,,sarah.oc@gmail.com,001A000002,VP Operations,Influencer,https://www.linkedin.com/in/sarahoconnor,former.rep@ourco.com
003A000003,伟,王,wang.wei@huawei.com,,,采购总监,,,
003A000004,,,nobody@example.org,,001A000001,,,,
003A000005,Ben,Miller,,,001A999999,Engineer,Technical Buyer,,
003A000006,Chloé,Dubois,chloe.dubois@acme.com,,001A000002,Plant Manager,Champion,,{TEAM_EMAIL}
"""

OPPORTUNITIES = f"""Opportunity ID,Account ID,Stage,Primary Contact Email,Opportunity Owner Email
006A000001,001A000002,Closed Won,chloe.dubois@acme.com,{TEAM_EMAIL}
006A000002,001A000003,Negotiation/Review,,{TEAM_EMAIL}
006A000003,001A000001,Closed Lost,,{TEAM_EMAIL}
006A000004,001A000001,Qualification,joerg.mueller@siemens-energy.com,{TEAM_EMAIL}
006A000005,001A000404,Qualification,,
"""


def files(tmp_path: Path) -> dict[str, Path]:
    paths = {}
    for name, text in (("mapping.toml", SALESFORCE), ("accounts.csv", ACCOUNTS), ("contacts.csv", CONTACTS),
                       ("opportunities.csv", OPPORTUNITIES)):
        paths[name] = tmp_path / name
        paths[name].write_text(text, encoding="utf-8")
    return paths


def run(store: Store, path: Path, mapping: crm.Mapping, **options: object) -> sync.ConnectSummary:
    return sync.run(store=store, plan=crm.read(path, mapping=mapping, as_of=date(2024, 5, 1), **options))  # type: ignore[arg-type]


def test_accounts_contacts_opportunities(store: Store, team: str, tmp_path: Path) -> None:
    paths = files(tmp_path)
    mapping = crm.load_mapping(paths["mapping.toml"])

    accounts = run(store, paths["accounts.csv"], mapping)
    assert accounts.created["company"] == 3
    assert accounts.skipped == {"malformed row": 1, "no account name": 1, "value ignored": 1}
    companies = {c["name"]: c for c in rows(store, "company")}
    siemens = companies["Siemens Energy AG"]
    assert (siemens["domain"], siemens["employees"], siemens["revenue"], siemens["status"]) == (
        "siemens-energy.com", 92000, 3.4e10, "customer")
    assert companies["Acme, Inc."]["employees"] is None and companies["Acme, Inc."]["status"] == "prospect"

    contacts = run(store, paths["contacts.csv"], mapping)
    assert contacts.created["person"] == 5
    assert contacts.skipped == {"no name": 1, "unknown account": 1, "tie to a person who is not known": 1,
                                "value ignored": 1}
    joerg = person_named(store, "Jörg Müller")
    assert joerg["emails"] == ["joerg.mueller@siemens-energy.com"] and "via:crm:salesforce" in joerg["tags"]
    sarah = person_named(store, "Sarah O'Connor")
    assert sarah["id"] == "email:" + sarah["id"].split(":")[1] and "linkedin:sarahoconnor" in sarah["tags"]
    assert person_named(store, "Ben Miller")["id"] == "crm:salesforce:003A000005"
    jobs = {j["person_id"]: j for j in rows(store, "employment")}
    assert (jobs[joerg["id"]]["company_id"], jobs[joerg["id"]]["decision_layer"]) == (siemens["id"], "decision_maker")
    assert jobs[sarah["id"]]["decision_layer"] == "user_influencer"
    assert len(jobs) == 3, "Wang has no account, Ben's account is unknown"
    ties = by_id(store, "tie")
    assert {(t["a"], t["b"], t["kind"], t["source"]) for t in ties.values()} == {
        (team, joerg["id"], "customer", "sales_accounts"),
        (team, person_named(store, "Chloé Dubois")["id"], "customer", "sales_accounts")}

    deals = run(store, paths["opportunities.csv"], mapping)
    companies = {c["name"]: c for c in rows(store, "company")}
    assert companies["Acme, Inc."]["status"] == "customer", "a won deal makes a prospect a customer"
    assert companies["Globex Corporation"]["status"] == "competitor", "competitors keep their status"
    assert deals.updated["company"] == 1 and deals.skipped == {"unknown account": 1}
    assert deals.unchanged["tie"] == 2


def test_json_mapping_and_reimport(store: Store, tmp_path: Path) -> None:
    paths = files(tmp_path)
    mapping_path = tmp_path / "mapping.json"
    mapping_path.write_text(json.dumps({"system": "HubSpot CRM", "contacts": {
        "name": "Full Name", "email": "Email", "company": "Company", "title": "Job Title"}}), encoding="utf-8")
    contacts = tmp_path / "hubspot.csv"
    contacts.write_text("Full Name;Email;Company;Job Title\nDr. Jörg Müller;joerg.mueller@siemens-energy.com;"
                        "Siemens Energy;CPO\nLena Nowak;lena@acme.com;Acme Inc.;Head of Procurement\n", encoding="utf-8")
    mapping = crm.load_mapping(mapping_path).model_copy(update={"delimiter": ";"})
    assert mapping.system == "hubspot-crm"
    run(store, paths["accounts.csv"], crm.load_mapping(paths["mapping.toml"]))
    first = run(store, contacts, mapping)
    assert first.created == {"company": 0, "person": 2, "employment": 2, "tie": 0, "interaction": 0}
    assert {j["company_id"] for j in rows(store, "employment")} == {"co:siemens-energy", "co:acme"}
    again = run(store, contacts, mapping)
    assert again.total_created == again.total_updated == 0


def test_mapping_problems_are_reported(tmp_path: Path) -> None:
    paths = files(tmp_path)
    bad = tmp_path / "bad.toml"
    bad.write_text('[contacts]\nfirst_name = "First"\nphone = "Phone"\n[deals]\nstage = "Stage"\n', encoding="utf-8")
    with pytest.raises(InvalidInput) as caught:
        crm.load_mapping(bad)
    assert {p.field for p in caught.value.problems} == {"contacts.phone", "deals"}
    broken = tmp_path / "broken.toml"
    broken.write_text("[contacts\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match="broken.toml"):
        crm.load_mapping(broken)
    mapping = crm.load_mapping(paths["mapping.toml"])
    with pytest.raises(InvalidInput, match="column named in the mapping"):
        crm.read(paths["accounts.csv"], mapping=mapping, table="contacts", as_of=date(2024, 5, 1))
    unknown = tmp_path / "export.csv"
    unknown.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match="cannot tell which table"):
        crm.read(unknown, mapping=mapping, as_of=date(2024, 5, 1))
