"""Liveness at the door: ``GET /health`` is answered before any other middleware runs.

A liveness probe asks whether the process serves HTTP at all, so nothing that can
wait, fail or be rate limited stands in front of it: no store, no key, no audit,
no bookmark, no route table. The answer is documented in the OpenAPI schema like
any route's.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel
from starlette.types import ASGIApp, Receive, Scope, Send

from api import openapi
from api.problems import problem

PATH = "/health"


class Liveness(BaseModel):
    status: str


BODY = Liveness(status="ok").model_dump_json().encode()
HEADERS = [(b"content-type", b"application/json"), (b"content-length", str(len(BODY)).encode())]


class LivenessMiddleware:
    """Answers every request to ``/health`` itself (other methods than GET and HEAD: 405); passes the rest on."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != PATH:
            await self.app(scope, receive, send)
            return
        if scope["method"] not in ("GET", "HEAD"):
            refused = problem(405, "Method Not Allowed", "Method Not Allowed", {"Allow": "GET, HEAD"}, instance=PATH)
            await refused(scope, receive, send)
            return
        await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
        await send({"type": "http.response.body", "body": BODY if scope["method"] == "GET" else b""})


def document(schema: dict[str, Any]) -> dict[str, Any]:
    """Put ``GET /health`` first in the OpenAPI schema, as a route would be."""
    operation = {
        "tags": ["health"], "summary": "Health", "operationId": "health", "description": "The process is up.",
        "responses": {"200": {"description": "Successful Response",
                              "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Liveness"}}}}},
    }
    schema["paths"] = {PATH: {"get": operation}, **schema.get("paths", {})}
    schema.setdefault("components", {}).setdefault("schemas", {})["Liveness"] = Liveness.model_json_schema()
    return schema


def install(app: FastAPI) -> None:
    """Answer liveness ahead of every other middleware (call last: the last added runs first)."""
    app.add_middleware(LivenessMiddleware)
    openapi.amend(app, document)
