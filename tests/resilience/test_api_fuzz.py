"""Fuzzing the HTTP API from its own OpenAPI schema, on both stores (bounded examples).

Every response must match the schema, no response may be a 500, and every error is
problem+json. Requests go through the test client of the ``api`` fixture, so each
operation is fuzzed against SQLite and against the real Neo4j.
"""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import allow_header_conformance, ignored_auth, positive_data_acceptance, unsupported_method

from api.app import create_app
from graph_service.settings import Settings
from tests.conftest import Api

schema = schemathesis.openapi.from_dict(create_app(Settings(env="test")).openapi())

EXCLUDED = [
    ignored_auth,  # every request carries a real admin key; missing and bad keys are tested in tests/api
    positive_data_acceptance,  # schema-valid bodies may still break domain rules (unknown ids): 422 is right
    unsupported_method,  # Starlette's 405 lists only the first matching route's methods in Allow
    allow_header_conformance,  # the same
]


def _parts(files: object) -> list[tuple[str, object]]:
    return list(files.items()) if isinstance(files, dict) else list(files)  # type: ignore[arg-type]


def _as_sent(part: object) -> object:
    """A generated multipart part as HTTP sends it: numbers become text, also inside (filename, content) tuples."""
    if isinstance(part, tuple):
        return (part[0], _as_sent(part[1]), *part[2:]) if len(part) > 1 else part
    return part if isinstance(part, (bytes, str)) else str(part)


@schema.parametrize()
@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_never_fails_and_matches_its_schema(case, api: Api) -> None:  # noqa: ANN001
    request = case.as_transport_kwargs(base_url="http://testserver", headers=api.headers())
    request.pop("cookies", None)  # the API uses no cookies
    if isinstance(request.get("data"), (bytes, str)):
        request["content"] = request.pop("data")
    if "files" in request:  # generated multipart parts may be numbers; HTTP sends them as text
        request["files"] = [(name, _as_sent(part)) for name, part in _parts(request["files"])]
    response = api.client.request(**request)
    response.request.read()  # multipart uploads are streamed; the checks read the request back
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert response.headers["content-type"] == "application/problem+json", response.text
    case.validate_response(response, excluded_checks=EXCLUDED)
