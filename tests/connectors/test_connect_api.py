"""The connector API: uploads with dry runs, merges and their undo, the review list."""

from __future__ import annotations

from datetime import date

import pytest

from graph_service import records
from graph_service.keys import Scope
from graph_service.model import Company, Employment, Person
from tests.conftest import Api
from tests.connectors.conftest import TEAM, TEAM_EMAIL
from tests.connectors.test_crm import ACCOUNTS, SALESFORCE
from tests.connectors.test_linkedin import HEADER, NOTES, ROWS
from tests.connectors.test_merges import CARD


@pytest.fixture
def client(api: Api, team: str) -> Api:
    """The API, with our team member in the store."""
    return api


def upload(name: str, text: str) -> dict[str, tuple[str, bytes, str]]:
    return {"file": (name, text.encode("utf-8"), "application/octet-stream")}


def test_upload_dry_run_then_import(client: Api) -> None:
    h = client.headers(Scope.write)
    export = NOTES + HEADER + "\n".join(ROWS) + "\n"
    preview = client.client.post("/connect/linkedin", params={"as": TEAM, "as_of": "2024-01-15", "dry_run": True},
                                 files=upload("Connections.csv", export), headers=h)
    assert preview.status_code == 200, preview.text
    body = preview.json()
    assert body["dry_run"] is True and body["file"] == "Connections.csv"
    assert body["created"]["person"] == 7 and body["skipped"]["malformed row"] == 1
    assert {"line": 10, "reason": "malformed row", "detail": "5 cells, the header has 7"} in body["skipped_rows"]
    assert client.store.read(lambda tx: tx.count("person")) == 1

    done = client.client.post("/connect/linkedin", params={"as": TEAM, "as_of": "2024-01-15"},
                              files=upload("Connections.csv", export), headers=h).json()
    assert done["dry_run"] is False and done["created"] == body["created"]
    assert client.store.read(lambda tx: tx.count("tie")) == 7


def test_uploads_need_write_scope_and_valid_input(client: Api) -> None:
    export = NOTES + HEADER + ROWS[0] + "\n"
    refused = client.client.post("/connect/linkedin", params={"as": TEAM}, files=upload("c.csv", export),
                                 headers=client.headers(Scope.read))
    assert refused.status_code == 403
    no_owner = client.client.post("/connect/linkedin", files=upload("c.csv", export), headers=client.headers())
    assert no_owner.status_code == 422 and no_owner.json()["errors"][0]["field"] == "as"
    unknown = client.client.post("/connect/outlook", files=upload("c.csv", export), headers=client.headers())
    assert unknown.status_code == 422
    no_mapping = client.client.post("/connect/crm", files=upload("a.csv", ACCOUNTS), headers=client.headers())
    assert no_mapping.status_code == 422 and "mapping" in no_mapping.json()["detail"]


def test_crm_upload_with_mapping(client: Api) -> None:
    files = {**upload("accounts.csv", ACCOUNTS), "mapping": ("salesforce.toml", SALESFORCE.encode(), "application/toml")}
    done = client.client.post("/connect/crm", params={"table": "accounts"}, files=files, headers=client.headers())
    assert done.status_code == 200, done.text
    assert done.json()["created"]["company"] == 3


def test_merges_and_review_over_http(client: Api) -> None:
    store = client.store
    records.save(store=store, entity="company", records=[Company(id="acme", name="Acme")])
    records.save(store=store, entity="person", records=[Person(id="p-jon", name="Jon Smith"),
                                                        Person(id="p-john", name="John Smith")])
    records.save(store=store, entity="employment", records=[
        Employment(person_id=p, company_id="acme", start=date(2023, 1, 1)) for p in ("p-jon", "p-john")])
    h, r = client.headers(Scope.write), client.headers(Scope.read)
    card = CARD + f"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ana López\r\nEMAIL:{TEAM_EMAIL}\r\nEND:VCARD\r\n"
    summary = client.client.post("/connect/vcard", params={"as": TEAM}, files=upload("a.vcf", card), headers=h).json()
    assert summary["review"] == 1 and summary["merged"] == 1

    page = client.client.get("/connect/review", headers=r).json()
    (item,) = page["items"]
    assert page["next_cursor"] is None and item["status"] == "open"
    decided = client.client.post(f"/connect/review/{item['id']}/merge", params={"into": "p-john"}, headers=h)
    assert decided.status_code == 200 and decided.json()["survivor"] == "p-john"
    assert client.client.get("/connect/review", headers=r).json()["items"] == []
    assert client.client.post(f"/connect/review/{item['id']}/dismiss", headers=h).status_code == 409

    merges = client.client.get("/connect/merges", headers=r).json()["items"]
    assert sorted(m["rule"] for m in merges) == ["email", "review"]
    detail = client.client.get(f"/connect/merges/{decided.json()['id']}", headers=r).json()
    assert {e["entity"] for e in detail["entries"]} == {"employment", "tie"}
    undone = client.client.post(f"/connect/merges/{decided.json()['id']}/undo", headers=h)
    assert undone.status_code == 200 and undone.json()["status"] == "undone"
    assert client.client.post(f"/connect/merges/{decided.json()['id']}/undo", headers=h).status_code == 409
    assert client.client.get("/connect/merges", params={"status": "active"}, headers=r).json()["items"][0]["rule"] == "email"
    assert client.client.get("/connect/merges/m-nothing", headers=r).status_code == 404
    assert client.client.post(f"/connect/review/{item['id']}/dismiss", headers=h).json()["status"] == "dismissed"
