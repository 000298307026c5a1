"""A private tie across every route, view, export and embed, on both stores: the member who does not
own it gets the path through it, but never its person, strength or evidence; its owner sees it all."""

from __future__ import annotations

from typing import Any

import pytest

from graph_service import keys
from graph_service.keys import Scope
from tests.conftest import Api

SECRET = ("xavier", "0.8317", "roommate")
"""The private contact (id and name), the tie's rating and its notes: none may reach Bob."""
THE_TIE = ("alice--xavier", "0.8317", "roommate")
"""Where Xavier shows for his own team ties (to the CEO), the private tie itself still may not."""
FORMATS = ("html", "json", "gexf", "graphml")


def member(api: Api, person: str, scope: Scope = Scope.write) -> dict[str, str]:
    token = keys.create(store=api.store, user=f"{person}-{scope.value}", scope=scope, person_id=person)[1]
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def world(api: Api) -> Api:
    """Alice and Bob on our team; Alice's college roommate Xavier (a private tie) knows ACME's CEO, and Dana,
    who moved from Initech to ACME."""
    admin = api.headers()
    posts = [
        ("/people", {"id": "alice", "name": "Alice Ames", "internal": True}),
        ("/people", {"id": "bob", "name": "Bob Burns", "internal": True}),
        ("/people", {"id": "xavier", "name": "Xavier Quill"}),
        ("/people", {"id": "ceo", "name": "Carla Chief"}),
        ("/people", {"id": "dana", "name": "Dana Mover"}),
        ("/companies", {"id": "acme", "name": "ACME", "status": "prospect"}),
        ("/companies", {"id": "initech", "name": "Initech"}),
        ("/employments", {"person_id": "dana", "company_id": "initech", "title": "Engineer", "start": "2010-01-01",
                          "end": "2020-01-01"}),
        ("/employments", {"person_id": "dana", "company_id": "acme", "title": "Engineer", "start": "2020-01-01"}),
        ("/employments", {"person_id": "ceo", "company_id": "acme", "title": "Chief Executive Officer",
                          "start": "2015-01-01"}),
        ("/ties", {"a": "alice", "b": "bob", "strength": 0.9, "kind": "colleague"}),
        ("/ties", {"a": "xavier", "b": "ceo", "strength": 0.7, "kind": "friend"}),
        ("/ties", {"a": "xavier", "b": "dana", "strength": 0.6, "kind": "friend"}),
    ]
    for path, body in posts:
        assert api.client.post(path, json=body, headers=admin).status_code == 201, (path, body)
    private = {"a": "alice", "b": "xavier", "strength": 0.8317, "kind": "friend", "visibility": "private",
               "notes": "college roommate"}
    assert api.client.post("/ties", json=private, headers=member(api, "alice")).status_code == 201
    return api


def reads(api: Api, headers: dict[str, str]) -> dict[str, Any]:
    """Every read that could show the private tie, by name: the response it gives."""
    get, post = api.client.get, api.client.post
    found = {
        "intro-paths to the CEO": post("/intro-paths", json={"person_id": "ceo", "k": 5, "introducers": 10},
                                       headers=headers),
        "intro-paths to ACME": post("/intro-paths", json={"company_id": "acme", "introducers": 10}, headers=headers),
        "account map": get("/accounts/acme/map", headers=headers),
        "influencers toward ACME": get("/influencers?toward=acme", headers=headers),
        "ties": get("/ties", headers=headers),
        "ties of Alice": get("/ties?person_id=alice", headers=headers),
        "the tie": get("/ties/tie-alice--xavier", headers=headers),
        "moves feed": get("/moves/feed", headers=headers),
    }
    [move] = get("/moves?person_id=dana", headers=headers).json()["items"]
    found["Dana's move"] = get(f"/moves/{move['id']}/impact", headers=headers)
    for format in FORMATS:
        found[f"paths view ({format})"] = get(f"/views/paths?person_id=ceo&format={format}", headers=headers)
        found[f"company paths view ({format})"] = get(f"/views/paths?company_id=acme&format={format}", headers=headers)
        found[f"Alice's network ({format})"] = get(f"/views/network/alice?depth=2&format={format}", headers=headers)
        found[f"account view ({format})"] = get(f"/views/account/acme?format={format}", headers=headers)
    for view, params in (("paths", {"person_id": "ceo"}), ("network", {"person_id": "alice", "depth": 2}),
                         ("account", {"company_id": "acme"})):
        minted = post("/embeds", json={"view": view, "params": params}, headers=headers)
        assert minted.status_code == 201, minted.text
        found[f"{view} embed"] = get(minted.json()["url"])
    return found


def test_a_member_gets_the_path_through_a_private_tie_but_never_its_person_strength_or_evidence(world: Api) -> None:
    bob = member(world, "bob")
    found = reads(world, bob)
    team_lists = ("influencers toward ACME", "ties")  # Xavier's team tie to the CEO shows there
    leaks = {name: word for name, response in found.items() if name != "the tie"
             for word in (THE_TIE if name in team_lists else SECRET) if word in response.text.lower()}
    assert leaks == {}
    assert found["the tie"].status_code == 404 and "roommate" not in found["the tie"].text
    assert all(r.status_code == 200 for name, r in found.items() if name != "the tie"), \
        {name: r.status_code for name, r in found.items()}

    # the path through the private tie is still there, with its owner to ask
    for name in ("intro-paths to the CEO", "intro-paths to ACME"):
        paths = found[name].json()["paths"]
        via_alice = [p for p in paths if [h["target"] and h["target"]["id"] for h in p["hops"]][-2:] == [None, "ceo"]]
        assert via_alice, name
        hidden = via_alice[0]["hops"][-2]
        assert (hidden["note"], hidden["private_of"]["id"], hidden["strength"]) == (
            "a private contact of Alice Ames: ask them", "alice", None)
    door = found["Dana's move"].json()["joined"]["path"]
    assert [(h["from_id"], h["to_id"], h["strength"]) for h in door["hops"]] == [("alice", None, None), (None, "dana", None)]
    assert door["hops"][0]["why"] == "a private contact of Alice Ames: ask them" and door["strength"] is None
    step = found["account map"].json()["next_steps"][0]
    assert [s["person"] for s in step["path"]] == ["alice", None, "ceo"]
    assert step["path"][1]["name"] == "a private contact of Alice Ames: ask them" and step["score"] is None
    for name in ("paths view (html)", "company paths view (json)", "paths embed"):
        assert "a private contact of Alice Ames" in found[name].text, name


def test_the_owner_sees_her_private_tie_everywhere_it_is_used(world: Api) -> None:
    found = reads(world, member(world, "alice"))
    for name in ("intro-paths to the CEO", "account map", "ties", "the tie", "paths view (html)",
                 "paths view (json)", "paths embed", "Dana's move"):
        assert "xavier" in found[name].text.lower(), name
    path = found["intro-paths to the CEO"].json()["paths"][0]
    assert [(h["target"]["id"], h["strength"]) for h in path["hops"]] == [("xavier", 0.8317), ("ceo", 0.7)]
    assert path["hops"][0]["private_of"]["id"] == "alice"
    # a network view draws team ties only: her private contacts are for paths, not for the team's pictures
    assert "xavier" not in found["Alice's network (json)"].text.lower()


def test_embed_pages_are_audited_under_their_token(world: Api) -> None:
    bob = member(world, "bob")
    minted = world.client.post("/embeds", json={"view": "paths", "params": {"person_id": "ceo"}}, headers=bob).json()
    assert world.client.get(minted["url"]).status_code == 200
    user = f"embed {minted['token_id']} of bob"
    entries = world.client.get("/audit", params={"user": user}, headers=world.headers()).json()
    assert [(e["route"], e["persons"]) for e in entries] == [("/embed/{token}", ["alice", "ceo"])]
