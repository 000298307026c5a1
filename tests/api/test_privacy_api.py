"""Erasure, suppression, data export, audit log and rate limits, through the API on both stores."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient

from api.app import create_app
from datetime import datetime, timezone

from graph_service import keys, webhooks
from graph_service.keys import Scope
from graph_service.settings import Settings
from graph_service.store.base import Store
from tests.conftest import Api


def load(api: Api) -> None:
    h = {**api.headers(), "Content-Type": "application/x-ndjson"}
    people = [{"id": "ann", "name": "Ann", "internal": True}, {"id": "qzx", "name": "Quentin Zorro", "emails": ["qzx@x.org"]},
              {"id": "bob", "name": "Bob"}, {"id": "cat", "name": "Cat"}]
    rows = {
        "person": people,
        "company": [{"id": "acme", "name": "Acme"}],
        "employment": [{"person_id": "qzx", "company_id": "acme", "title": "CEO", "start": "2019-01-01", "end": "2020-01-01"},
                       {"person_id": "qzx", "company_id": "acme", "title": "Chair", "start": "2020-01-01"}],
        "tie": [{"a": "ann", "b": "qzx", "strength": 0.7}, {"a": "bob", "b": "cat", "strength": 0.4}],
        "interaction": [{"type": "meeting", "at": "2021-01-01T10:00:00", "participants": ["ann", "qzx"]},
                        {"type": "email", "at": "2021-02-01T10:00:00", "initiator": "qzx", "participants": ["bob", "cat"]}],
        "referral": [{"referrer_id": "qzx", "referred_id": "bob", "on": "2021-03-01"}],
    }
    for kind, items in rows.items():
        body = "\n".join(json.dumps(r) for r in items)
        assert api.client.post(f"/imports/{kind}?format=jsonl", content=body, headers=h).status_code == 200, kind


def dump(store: Store) -> str:
    """Every record and document in the store, as text."""
    parts = []
    for entity in ("person", "company", "employment", "tie", "interaction", "referral", "move"):
        parts += [json.dumps(r) for r in store.read(lambda tx: tx.scan(entity, after=None, limit=10_000))]
    for collection in ("api_keys", "audit", "suppressed", webhooks.OUTBOX, webhooks.EVENTS, webhooks.LOG):
        parts += [json.dumps(d) for d in store.read(lambda tx: tx.list_docs(collection, after=None, limit=10_000))]
    parts += [json.dumps(change.ids) for change in store.read(lambda tx: tx.changes_since(0, 100_000))]
    return "\n".join(parts)


def reads(api: Api) -> str:
    """What the projection, the caches and the exports show about the people of the test, as text."""
    h = api.headers()
    found = [api.client.post("/intro-paths", json={"company_id": "acme"}, headers=h),
             api.client.get("/accounts/acme/map", headers=h),
             api.client.get("/moves/feed", headers=h),
             api.client.get("/influencers", headers=h)]
    found += [api.client.get(f"/views/network/ann?depth=2&format={f}", headers=h) for f in ("json", "graphml")]
    found += [api.client.get(f"/views/talent-flow?format={f}", headers=h) for f in ("json", "gexf")]
    assert all(r.status_code == 200 for r in found), [r.text for r in found if r.status_code != 200]
    return "\n".join(r.text for r in found)


def test_export_then_erase_leaves_no_trace_and_blocks_reimport(api: Api) -> None:
    h = api.headers()
    subscription = api.client.post("/webhooks", json={"url": "http://127.0.0.1:9/hook", "events": ["move.detected", "role_change.detected"]},
                                   headers=h).json()
    load(api)
    export = api.client.get("/people/qzx/export", headers=h).json()
    assert export["person"]["name"] == "Quentin Zorro"
    assert len(export["ties"]) == 1 and len(export["employments"]) == 2 and len(export["moves"]) == 1
    assert len(export["interactions"]) == 2 and len(export["referrals"]) == 1

    webhooks.Dispatcher(api.store).enqueue(datetime.now(timezone.utc))  # unless the app's dispatcher did already
    events = api.store.read(lambda tx: tx.list_docs(webhooks.EVENTS, after=None, limit=10))
    assert [e["event"] for e in events] == ["role_change.detected"]  # CEO, then chair
    before = reads(api)  # the projection, the caches and the indexes hold Quentin now
    assert "qzx" in before and "Zorro" in before and "qzx" in dump(api.store)

    erased = api.client.post("/people/qzx/erase", headers=h).json()
    assert erased["removed"]["person"] == 1 and erased["removed"]["webhook_events"] >= 2  # event, outbox or log
    api.client.app.state.audit.flush()
    text = dump(api.store)
    assert "qzx" not in text.lower() and "Zorro" not in text
    assert "qzx" not in reads(api).lower() and "Zorro" not in reads(api)
    assert api.client.post("/intro-paths", json={"person_id": "qzx"}, headers=h).status_code == 404
    assert api.client.get(f"/webhooks/{subscription['id']}/deliveries", headers=h).json()["items"] == []
    # the email between eve, bob and cat stays for bob and cat, without qzx
    left = api.client.get("/interactions?person_id=bob", headers=h).json()["items"]
    assert [sorted(i["participants"] + i["cc"] + [i["initiator"] or ""]) for i in left] == [["", "bob", "cat"]]

    again = api.client.post("/people", json={"id": "qzx", "name": "Q"}, headers=h)
    assert again.status_code == 422 and "erased on request" in again.json()["detail"]
    other_id = api.client.post("/people", json={"id": "qzx2", "name": "E", "emails": ["QZX@x.org"]}, headers=h)
    assert other_id.status_code == 422
    tie = api.client.post("/ties?create_placeholders=true", json={"a": "ann", "b": "qzx"}, headers=h)
    assert tie.status_code == 422
    lifted = api.client.post("/suppressions/lift", json={"person_id": "qzx", "emails": ["qzx@x.org"]}, headers=h)
    assert lifted.json() == {"lifted": 2}
    assert api.client.post("/people", json={"id": "qzx", "name": "Q"}, headers=h).status_code == 201


def test_every_read_of_a_person_is_audited(api: Api) -> None:
    load(api)
    reader = api.headers(Scope.read)
    api.client.get("/people/bob", headers=reader)
    api.client.get("/ties?person_id=cat", headers=reader)
    entries = api.client.get("/audit?person_id=bob", headers=api.headers()).json()
    routes = [(e["user"], e["method"], e["route"], e["status"]) for e in entries]
    assert ("read-user", "GET", "/people/{id}", 200) in routes
    assert ("read-user", "GET", "/ties", 200) in routes  # the bob-cat tie names bob
    assert all(e["at"] for e in entries)
    assert api.client.get("/audit", headers=reader).status_code == 403


def test_rate_limit_per_key(settings: Settings, store: Store) -> None:
    token = keys.create(store=store, user="busy", scope=Scope.read)[1]
    other = keys.create(store=store, user="calm", scope=Scope.read)[1]
    limited = settings.model_copy(update={"rate_limit_per_minute": 3})
    with TestClient(create_app(limited)) as client:
        codes = [client.get("/people", headers={"Authorization": f"Bearer {token}"}).status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        refused = client.get("/people", headers={"Authorization": f"Bearer {token}"})
        assert int(refused.headers["Retry-After"]) >= 1
        assert client.get("/people", headers={"Authorization": f"Bearer {other}"}).status_code == 200
