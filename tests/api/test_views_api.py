"""Graph views through the API on both stores: every view in every format, the page's strict CSP, public
cacheable assets, and embed tokens (no API key; expired, tampered, revoked or widened tokens show nothing)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from api.routes.views import embed_secret
from graph_service import audit, records
from graph_service.keys import Scope
from graph_service.store.base import Store
from tests.conftest import Api
from tests.factories import company, email, job, people, referral, tie
from visualize import assets, embed, render

VIEWS = {
    "paths": "/views/paths?company_id=acme&layers=decision_maker,executor",
    "paths_person": "/views/paths?person_id=carol&sources=me&k=2",
    "network": "/views/network/me?depth=2&cap=3",
    "account": "/views/account/acme",
    "talent_flow": "/views/talent-flow?since=2010-01-01&until=2030-12-31",
}
FORMATS = {"json": "application/json", "gexf": "application/gexf+xml", "graphml": "application/graphml+xml"}
NODE_COUNT = re.compile(r'data-node-count="(\d+)"')


def load_world(store: Store) -> None:
    """Our team (me, you); ACME (a prospect) with its CEO Carol, CFO Dave and Bob, who came from Rival, as did
    Eve; ties, emails and a referral between them; a few more people around ``me`` for the "N more" node;
    Zed, whom nobody knows."""
    extra = [f"contact{i}" for i in range(6)]
    saves: list[tuple[str, list[Any]]] = [
        ("person", people("me", "you", "bob", "carol", "dave", "eve", "frank", "zed", *extra, internal=("me", "you"))),
        ("company", [company("acme", employees=30, status="prospect"), company("rival", status="competitor")]),
        ("employment", [
            job("bob", "rival", "2010-01-01", "2014-12-31", title="Sales Manager"),
            job("bob", "acme", "2015-02-01", title="Head of Procurement", department="Purchasing"),
            job("carol", "acme", "2015-01-01", title="Chief Executive Officer", department="Executive Office"),
            job("dave", "acme", "2018-01-01", title="CFO", department="Finance"),
            job("eve", "rival", "2016-01-01", "2020-12-31", title="Engineer"),
            job("eve", "acme", "2021-03-01", title="Plant Engineer", department="Engineering"),
            *[job(person, "rival", "2019-01-01", title="Analyst") for person in extra],
        ]),
        ("tie", [tie("bob", "carol", 0.8, kind="colleague", source="sales_accounts"),
                 tie("you", "eve", 0.9, kind="friend", source="personal_network"),
                 *[tie("me", person, 0.2 + i / 100, kind="event", source="sales_accounts") for i, person in enumerate(extra)]]),
        ("interaction", [email("me", "bob", at="2024-01-10T09:00:00"), email("bob", "me", at="2024-02-01T09:00:00")]),
        ("referral", [referral("frank", "dave", on="2020-05-01", to="me")]),
    ]
    for entity, items in saves:
        records.save(store=store, entity=entity, records=items, source="test")


@pytest.fixture
def world(api: Api) -> Api:
    load_world(api.store)
    return api


def _with(url: str, **query: str) -> str:
    return url + ("&" if "?" in url else "?") + "&".join(f"{key}={value}" for key, value in query.items())


def _json(api: Api, url: str) -> dict[str, Any]:
    response = api.client.get(_with(url, format="json"), headers=api.headers(Scope.read))
    assert response.status_code == 200, response.text
    return response.json()


def _node_count(html: str) -> int:
    found = NODE_COUNT.search(html)
    assert found is not None
    return int(found.group(1))


def _assert_no_data(response: Any, status: int) -> None:
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    assert set(response.json()) <= {"type", "title", "status", "detail", "instance", "errors"}
    assert "Carol" not in response.text and "<html" not in response.text


@pytest.mark.parametrize("view", list(VIEWS))
def test_each_view_as_a_page_and_its_exports(world: Api, view: str) -> None:
    url = VIEWS[view]
    page = world.client.get(url, headers=world.headers(Scope.read))
    assert page.status_code == 200, page.text
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert page.headers["content-security-policy"] == render.content_security_policy("'none'")
    assert page.headers["cache-control"] == "no-store"
    assert f'/static/{assets.VIS_NETWORK}?v=' in page.text and "<script>" not in page.text  # no inline script

    data = _json(world, url)
    assert data["counts"]["nodes"] == len(data["nodes"]) == _node_count(page.text) > 0
    assert data["view"] == view.removesuffix("_person")
    for format, media_type in FORMATS.items():
        response = world.client.get(_with(url, format=format), headers=world.headers(Scope.read))
        assert response.status_code == 200
        assert response.headers["content-type"].split(";")[0] == media_type
        disposition = response.headers["content-disposition"]
        assert disposition.startswith("attachment; filename=") and disposition.endswith(f'.{format}"')
        if format != "json":
            root = ET.fromstring(response.content)
            assert len([e for e in root.iter() if e.tag.endswith("}node")]) == data["counts"]["nodes"]


def test_views_show_what_the_services_found(world: Api) -> None:
    paths = _json(world, VIEWS["paths_person"])
    assert {"p:me", "p:bob", "p:carol"} <= {n["id"] for n in paths["nodes"]}
    hop = next(e for e in paths["edges"] if (e["source"], e["target"]) == ("p:bob", "p:carol"))
    assert "work together at ACME since 2015" in hop["evidence"] and "known as colleague, rated 0.80" in hop["evidence"]

    network = _json(world, VIEWS["network"])
    summary = [n for n in network["nodes"] if n["kind"] == "summary"]
    hidden = {n["id"]: n["hidden_count"] for n in summary}
    assert hidden["more:me"] == 6  # 9 ties (six contacts, bob; frank and dave by the referral), 3 drawn
    nearest = _json(world, "/views/network/me?cap=3")
    assert {n["id"] for n in nearest["nodes"]} == {"p:me", "p:contact5", "p:contact4", "p:contact3", "more:me"}

    account = _json(world, VIEWS["account"])
    layers = {n["id"]: n.get("layer") for n in account["nodes"] if n["kind"] == "person"}
    assert layers["p:carol"] == "decision_maker" and layers["p:bob"] == "executor"
    assert {"p:me", "p:you"} <= set(layers)  # our team's ties into the account
    back_then = _json(world, "/views/account/acme?as_of=2016-06-01")
    assert {n["id"] for n in back_then["nodes"] if n["kind"] == "person"} == {"p:bob", "p:carol", "p:me"}

    flow = _json(world, VIEWS["talent_flow"])
    assert [(e["source"], e["target"], e["weight"]) for e in flow["edges"]] == [("c:rival", "c:acme", 2)]


def test_views_need_a_key_and_known_ids(world: Api) -> None:
    _assert_no_data(world.client.get(VIEWS["network"]), 401)
    reader = world.headers(Scope.read)
    assert world.client.get("/views/network/nobody", headers=reader).status_code == 404
    assert world.client.get("/views/account/nowhere?format=json", headers=reader).status_code == 404
    assert world.client.get("/views/paths?layers=executor", headers=reader).status_code == 422
    assert world.client.get("/views/network/me?depth=3", headers=reader).status_code == 422
    assert world.client.get("/views/network/me?format=pdf", headers=reader).status_code == 422
    empty = _json(world, "/views/paths?person_id=zed")
    assert empty["subtitle"].startswith("no path:")


def test_views_are_audited(world: Api) -> None:
    assert world.client.get(VIEWS["account"], headers=world.headers(Scope.read)).status_code == 200
    world.client.app.state.audit.flush()
    entries = audit.query(store=world.store, person_id="carol")
    assert [(e["user"], e["route"]) for e in entries] == [("read-user", "/views/account/{company_id}")]


def test_static_assets_are_public_and_cacheable(api: Api) -> None:
    for name, asset in assets.assets().items():
        response = api.client.get(f"/static/{name}?v={asset.version}")
        assert response.status_code == 200
        assert response.content == asset.content
        assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert response.headers["content-type"] == asset.media_type
    assert api.client.get("/static/..%2Fsettings.py").status_code == 404
    assert api.client.get("/static/app.py").status_code == 404


def _mint(api: Api, scope: Scope = Scope.write, **body: Any) -> Any:
    return api.client.post("/embeds", json=body, headers=api.headers(scope))


def test_embed_token_shows_its_view_without_a_key(world: Api) -> None:
    assert _mint(world, Scope.read, view="network", params={"person_id": "me"}).status_code == 403
    created = _mint(world, view="network", params={"person_id": "me", "depth": 2, "cap": 3}, ttl_seconds=3600)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["url"] == f"/embed/{body['token']}"
    assert body["params"] == {"person_id": "me", "depth": "2", "cap": "3"}
    expires = datetime.fromisoformat(body["expires_at"])
    assert timedelta(minutes=59) < expires - datetime.now(timezone.utc) <= timedelta(hours=1)

    page = world.client.get(body["url"])  # no Authorization header
    assert page.status_code == 200
    settings = world.client.app.state.settings
    assert page.headers["content-security-policy"] == render.content_security_policy(settings.frame_ancestors)
    assert "x-frame-options" not in page.headers
    assert _node_count(page.text) == _json(world, VIEWS["network"])["counts"]["nodes"]


def test_embed_params_are_checked_when_minted(world: Api) -> None:
    assert _mint(world, view="network", params={"depth": 2}).status_code == 422
    assert _mint(world, view="network", params={"person_id": "me", "colour": "red"}).status_code == 422
    assert _mint(world, view="paths", params={"company_id": "acme", "layers": ["boss"]}).status_code == 422
    assert _mint(world, view="people", params={}).status_code == 422
    assert _mint(world, view="account", params={"company_id": "acme"}, ttl_seconds=31 * 86_400).status_code == 422
    listed = _mint(world, view="paths", params={"company_id": "acme", "layers": ["executor", "decision_maker"]})
    assert listed.json()["params"]["layers"] == "decision_maker,executor"
    assert world.client.get(listed.json()["url"]).status_code == 200


def test_expired_tampered_and_revoked_tokens_show_nothing(world: Api) -> None:
    secret = embed_secret(world.client.app.state.settings)
    expired = embed.mint(viewer="me", secret=secret, view="account", params={"company_id": "acme"}, ttl=timedelta(hours=1),
                         now=datetime.now(timezone.utc) - timedelta(hours=2))
    _assert_no_data(world.client.get(f"/embed/{expired.token}"), 401)

    body = _mint(world, view="account", params={"company_id": "acme"}).json()
    token = body["token"]
    payload, signature = token.rsplit(".", 1)
    flipped = signature[:-2] + ("A" if signature[-2] != "A" else "B") + signature[-1]
    _assert_no_data(world.client.get(f"/embed/{payload}.{flipped}"), 401)
    forged = embed.mint(viewer="me", secret="another-secret-0123456789", view="account", params={"company_id": "acme"},
                        ttl=timedelta(hours=1))
    _assert_no_data(world.client.get(f"/embed/{forged.token}"), 401)

    assert world.client.get(f"/embed/{token}").status_code == 200
    assert world.client.delete(f"/embeds/{body['token_id']}", headers=world.headers(Scope.read)).status_code == 403
    assert world.client.delete(f"/embeds/{body['token_id']}", headers=world.headers(Scope.write)).status_code == 204
    _assert_no_data(world.client.get(f"/embed/{token}"), 401)
    assert world.client.delete("/embeds/not%20an%20id", headers=world.headers(Scope.write)).status_code == 422


def test_a_token_opens_only_its_own_view_and_params(world: Api) -> None:
    token = _mint(world, view="network", params={"person_id": "me", "depth": 1}).json()["token"]
    for query in ("depth=2", "person_id=carol", "format=json", "view=account"):
        _assert_no_data(world.client.get(f"/embed/{token}?{query}"), 422)  # an embed takes no query parameters
    as_key = {"Authorization": f"Bearer {token}"}
    _assert_no_data(world.client.get("/views/network/me", headers=as_key), 401)
    _assert_no_data(world.client.get("/views/account/acme", headers=as_key), 401)
    _assert_no_data(world.client.get("/views/network/me?format=json", headers=as_key), 401)
