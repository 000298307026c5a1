"""Ownership and visibility of ties and interactions through the record routes, on both stores."""

from __future__ import annotations

from graph_service import keys
from graph_service.keys import Scope
from tests.conftest import Api


def member(api: Api, person: str) -> dict[str, str]:
    token = keys.create(store=api.store, user=person, scope=Scope.write, person_id=person)[1]
    return {"Authorization": f"Bearer {token}"}


def test_private_ties_are_seen_and_changed_only_by_their_owner(api: Api) -> None:
    admin = api.headers()
    for person in ("alice", "bob", "carol", "dave"):
        api.client.post("/people", json={"id": person, "name": person.title(), "internal": person in ("alice", "bob")},
                        headers=admin)
    alice, bob = member(api, "alice"), member(api, "bob")
    private = api.client.post("/ties", json={"a": "alice", "b": "carol", "strength": 0.9, "visibility": "private",
                                             "notes": "college friend"}, headers=alice).json()
    assert private["owner"] == "alice"
    shared = api.client.post("/ties", json={"a": "alice", "b": "dave", "strength": 0.4}, headers=alice).json()

    assert {t["id"] for t in api.client.get("/ties", headers=alice).json()["items"]} == {private["id"], shared["id"]}
    assert {t["id"] for t in api.client.get("/ties", headers=bob).json()["items"]} == {shared["id"]}
    assert api.client.get("/ties?person_id=carol", headers=bob).json()["items"] == []
    hidden_from_bob = api.client.get(f"/ties/{private['id']}", headers=bob)
    assert hidden_from_bob.status_code == 404 and "college" not in hidden_from_bob.text
    assert api.client.patch(f"/ties/{private['id']}", json={"strength": 0.1}, headers=bob).status_code == 404
    assert api.client.delete(f"/ties/{private['id']}", headers=bob).status_code == 404

    assert api.client.patch(f"/ties/{shared['id']}", json={"strength": 0.1}, headers=bob).status_code == 403
    assert api.client.patch(f"/ties/{shared['id']}", json={"strength": 0.5}, headers=alice).status_code == 200
    assert api.client.patch(f"/ties/{private['id']}", json={"notes": "met 2001"}, headers=alice).status_code == 200


def test_private_interactions_follow_the_same_rule(api: Api) -> None:
    admin = api.headers()
    for person in ("alice", "bob", "carol"):
        api.client.post("/people", json={"id": person, "name": person.title()}, headers=admin)
    alice, bob = member(api, "alice"), member(api, "bob")
    meeting = api.client.post("/interactions", json={"type": "meeting", "at": "2024-01-01T10:00:00Z",
                                                     "participants": ["alice", "carol"], "visibility": "hidden"},
                              headers=alice).json()
    assert [i["id"] for i in api.client.get("/interactions", headers=alice).json()["items"]] == [meeting["id"]]
    assert api.client.get("/interactions", headers=bob).json()["items"] == []
    assert api.client.get(f"/interactions/{meeting['id']}", headers=bob).status_code == 404
