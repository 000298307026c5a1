"""Read-your-writes across workers: the ``Sgraph-Bookmark`` request and response header.

Every write that committed answers with ``Sgraph-Bookmark: TOKEN`` (see
``graph_service.bookmarks``). A request that sends it back, to any worker, runs its store
transactions after that write (Neo4j bookmarks) and, once authenticated, first brings the
worker's projection up to the write's change-feed sequence number (``catch_up``).
A malformed header is a 400 problem naming the header (after authentication: a request
without an API key is a 401 first). Routes without an API key (``/health``, ``/ready``,
embeds) do not document the header and ignore a malformed one.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api import openapi
from graph_service import bookmarks
from graph_service.store.base import Store

HEADER = bookmarks.NAME
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

REQUEST_DESCRIPTION = (
    "A bookmark from an earlier write's response (through any worker): this request then reads "
    "that write and everything before it. Opaque: send it back as received."
)
RESPONSE_DESCRIPTION = (
    "Set when this request committed a write: send it as the `Sgraph-Bookmark` request header "
    "to read your own write through any worker."
)


class BookmarkMiddleware:
    """Opens a causal scope per request from the request's bookmark; puts a write's bookmark on its response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        token = Headers(scope=scope).get(HEADER)
        try:
            after = None if token is None else bookmarks.Bookmark.decode(token)
        except ValueError as err:  # refused by ``catch_up`` once the caller is known (401 comes first)
            after = None
            scope.setdefault("state", {})["malformed_bookmark"] = bookmarks.MalformedBookmark(str(err))

        with bookmarks.following(after) as causal:

            async def send_bookmark(message: Message) -> None:
                if (message["type"] == "http.response.start" and causal.written is not None
                        and scope["method"] in WRITE_METHODS and message["status"] < 400):
                    MutableHeaders(scope=message)[HEADER] = causal.written.encode()
                await send(message)

            await self.app(scope, receive, send_bookmark)


def catch_up(request: Request, store: Store) -> None:
    """With a bookmark on the request: this worker's projection reaches its sequence number first.

    Called once the caller is authenticated; a malformed bookmark is refused here (400).
    """
    malformed = getattr(request.state, "malformed_bookmark", None)
    if malformed is not None:
        raise malformed
    causal = bookmarks.current()
    if causal is None or causal.after is None:
        return
    bookmarks.reach(store=store, bookmark=causal.after, follower=getattr(request.app.state, "projection", None))


def document(schema: dict[str, Any]) -> dict[str, Any]:
    """Document the bookmark header on every operation that takes an API key, and on its writes' answers."""
    parameter = {"name": HEADER, "in": "header", "required": False, "description": REQUEST_DESCRIPTION,
                 "schema": {"type": "string", "pattern": f"^{bookmarks.TOKEN.pattern}$",
                            "maxLength": bookmarks.MAX_TOKEN_CHARS}}
    header = {"description": RESPONSE_DESCRIPTION, "schema": {"type": "string"}}
    bad_request = {"description": f"Malformed {HEADER} header or request body",
                   "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}
    for item in schema.get("paths", {}).values():
        for method, operation in item.items():
            if not isinstance(operation, dict) or "security" not in operation:
                continue  # routes without an API key do not take bookmarks
            operation.setdefault("parameters", []).append(parameter)
            operation["responses"].setdefault("400", bad_request)
            if method.upper() in WRITE_METHODS:
                for status, response in operation["responses"].items():
                    if status.startswith("2"):
                        response.setdefault("headers", {})[HEADER] = header
    return schema


def install(app: FastAPI) -> None:
    """Honour and hand out bookmarks on every route, and say so in the OpenAPI schema."""
    app.add_middleware(BookmarkMiddleware)
    openapi.amend(app, document)
