"""The HTTP API: keys and scopes, CRUD, pagination, imports, problem+json errors."""

from __future__ import annotations

from pathlib import Path

import anyio.to_thread
from starlette.testclient import TestClient

from api.app import create_app
from graph_service.keys import Scope
from graph_service.settings import Settings
from tests.conftest import Api


def test_health_is_open_and_everything_else_needs_a_key(api: Api) -> None:
    assert api.client.get("/health").json() == {"status": "ok"}
    assert api.client.get("/ready").json()["status"] == "ready"
    missing = api.client.get("/people")
    assert missing.status_code == 401
    assert missing.headers["content-type"] == "application/problem+json"
    assert missing.json()["title"] == "Unauthorized"
    assert api.client.get("/people", headers={"Authorization": "Bearer sg_nope_nope"}).status_code == 401
    assert api.client.get("/people", headers=api.headers(Scope.read)).status_code == 200


def test_liveness_answers_ahead_of_everything_and_is_documented(api: Api) -> None:
    bad_bookmark = {"Sgraph-Bookmark": "?", "Authorization": "Bearer sg_nope_nope"}
    answer = api.client.get("/health", headers=bad_bookmark)
    assert (answer.status_code, answer.headers["content-type"], answer.json()) == (200, "application/json", {"status": "ok"})
    head = api.client.head("/health")
    assert (head.status_code, head.content, head.headers["content-length"]) == (200, b"", str(len(answer.content)))
    refused = api.client.post("/health")
    assert (refused.status_code, refused.headers["allow"], refused.json()["title"]) == (405, "GET, HEAD", "Method Not Allowed")
    operation = api.client.get("/openapi.json").json()["paths"]["/health"]["get"]
    assert operation["responses"]["200"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Liveness"}


def test_a_worker_runs_as_many_requests_at_once_as_its_threads_setting(tmp_path: Path) -> None:
    settings = Settings(store=f"sqlite:///{tmp_path / 'sgraph.db'}", env="test", worker_threads=3)
    with TestClient(create_app(settings)) as client:
        assert client.portal is not None
        assert client.portal.call(lambda: anyio.to_thread.current_default_thread_limiter().total_tokens) == 3


def test_scopes(api: Api) -> None:
    body = {"id": "alice", "name": "Alice"}
    refused = api.client.post("/people", json=body, headers=api.headers(Scope.read))
    assert refused.status_code == 403
    assert api.client.post("/people", json=body, headers=api.headers(Scope.write)).status_code == 201


def test_crud_round_trip(api: Api) -> None:
    h = api.headers()
    assert api.client.post("/people", json={"id": "alice", "name": "Alice", "internal": True}, headers=h).status_code == 201
    assert api.client.post("/people", json={"id": "alice", "name": "Again"}, headers=h).status_code == 409
    assert api.client.post("/companies", json={"id": "acme", "name": "Acme", "status": "prospect"}, headers=h).status_code == 201
    job = api.client.post("/employments", json={"person_id": "alice", "company_id": "acme", "title": "CEO",
                                                "start": "2020-01-01"}, headers=h)
    assert job.status_code == 201
    job_id = job.json()["id"]
    changed = api.client.patch(f"/employments/{job_id}", json={"end": "2022-01-01"}, headers=h)
    assert changed.json()["end"] == "2022-01-01"
    assert api.client.get(f"/employments/{job_id}", headers=h).json()["title"] == "CEO"
    assert api.client.delete("/people/alice", headers=h).status_code == 409  # still employed somewhere
    assert api.client.delete(f"/employments/{job_id}", headers=h).status_code == 204
    assert api.client.delete("/people/alice", headers=h).status_code == 204
    gone = api.client.get("/people/alice", headers=h)
    assert gone.status_code == 404 and "alice" in gone.json()["detail"]


def test_bad_input_is_422_naming_the_field(api: Api) -> None:
    h = api.headers()
    bad = api.client.post("/ties", json={"a": "x", "b": "y", "strength": 2}, headers=h)
    assert bad.status_code == 422
    assert bad.headers["content-type"] == "application/problem+json"
    assert [e["field"] for e in bad.json()["errors"]] == ["strength"]
    unknown = api.client.post("/ties", json={"a": "x", "b": "y", "strength": 0.5}, headers=h)
    assert unknown.status_code == 422 and "unknown person 'x'" in unknown.json()["detail"]
    assert api.client.get("/people?limit=0", headers=h).status_code == 422
    assert api.client.get("/people?company_id=acme", headers=h).status_code == 422
    assert api.client.patch("/people/nobody", json={"name": "N"}, headers=h).status_code == 404


def test_cursor_pagination(api: Api) -> None:
    h = api.headers()
    for i in range(7):
        api.client.post("/people", json={"id": f"p{i}", "name": f"P{i}"}, headers=h)
    seen, cursor = [], None
    while True:
        page = api.client.get("/people", params={"limit": 3, **({"after": cursor} if cursor else {})}, headers=h).json()
        seen += [p["id"] for p in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [f"p{i}" for i in range(7)]


def test_import_endpoint_all_or_nothing(api: Api) -> None:
    h = {**api.headers(), "Content-Type": "text/csv"}
    good = "id,name\nalice,Alice\nbob,Bob\n"
    first = api.client.post("/imports/person", content=good, headers=h)
    assert first.json()["created"] == 2
    assert api.client.post("/imports/person", content=good, headers=h).json()["unchanged"] == 2
    bad = api.client.post("/imports/tie", content="a,b,strength\nalice,bob,0.4\nalice,bob,7\nalice,zed,0.3\n", headers=h)
    assert bad.status_code == 422
    assert {(e["line"], e["field"]) for e in bad.json()["errors"]} == {(3, "strength"), (4, "b")}
    assert api.client.get("/ties", headers=h).json()["items"] == []
