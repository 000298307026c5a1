"""Annotated dependencies: settings, the store, and the API key a route requires.

``require(scope)`` authenticates the caller, applies the per-key rate limit, checks the
scope and marks the request for the audit log (see ``api.audit``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Annotated, TypeVar

from fastapi import Depends, FastAPI, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from starlette.concurrency import run_in_threadpool

from api.bookmarks import catch_up
from graph_service.bounded import BoundedProjection, QueryProjection
from graph_service.errors import Forbidden, InvalidInput, Problem, RateLimited, Unauthorized
from graph_service.keys import ApiKey, Scope, authenticate
from graph_service.projection import Projection
from graph_service.settings import Settings
from graph_service.store.base import Store

T = TypeVar("T")
bearer = HTTPBearer(auto_error=False, description="API key: `Authorization: Bearer sg_...`")


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def prepare_store(app: FastAPI) -> None:
    """Create the schema once; until it could be, every request retries (and gets 503)."""
    if not app.state.schema_ready:
        app.state.store.init_schema()
        app.state.schema_ready = True


async def get_store(request: Request) -> Store:
    app = request.app
    if not app.state.schema_ready:
        await run_in_threadpool(prepare_store, app)
    return app.state.store


SettingsDep = Annotated[Settings, Depends(get_settings)]
StoreDep = Annotated[Store, Depends(get_store)]

_state_lock = threading.Lock()


def per_process(request: Request, name: str, build: Callable[[Store], T]) -> T:
    """One object of this kind per app (per process), built on first use over the app's store.

    Projections, caches and indexes follow the store's change feed, so workers share
    nothing but the store. Blocks while the object is built: call it from a worker thread.
    """
    state = request.app.state
    value = getattr(state, name, None)
    if value is None:
        prepare_store(request.app)
        with _state_lock:
            value = getattr(state, name, None)
            if value is None:
                value = build(state.store)
                setattr(state, name, value)
    return value


async def shared(request: Request, name: str, build: Callable[[Store], T]) -> T:
    """:func:`per_process` for async dependencies: a worker thread only while the object is first built,
    none once it exists (a thread hop costs more than the look-up)."""
    value = getattr(request.app.state, name, None)
    return value if value is not None else await run_in_threadpool(per_process, request, name, build)


def projection_of(request: Request) -> Projection:
    """The app's projection, from code already running in a worker thread."""
    return per_process(request, "projection", Projection)


async def get_projection(request: Request) -> Projection:
    return await shared(request, "projection", Projection)


async def get_query_projection(request: Request) -> QueryProjection:
    """What warm paths and account maps run on: the full projection, or in bounded mode
    (``SGRAPH_PROJECTION_MODE=bounded``) one that reads each query's neighbourhood from the store."""
    settings = request.app.state.settings
    if settings.projection_mode == "bounded":
        return await shared(request, "bounded_projection",
                            lambda store: BoundedProjection(store, hub_degree=settings.bounded_hub_degree))
    return await get_projection(request)


ProjectionDep = Annotated[QueryProjection, Depends(get_query_projection)]
FullProjectionDep = Annotated[Projection, Depends(get_projection)]
"""The whole graph in this process, whatever the mode (move impact)."""


class RateLimit:
    """Requests per minute per key, counted in this process (a moving window)."""

    def __init__(self, per_minute: int) -> None:
        self.item = parse(f"{per_minute}/minute")
        self.limiter = MovingWindowRateLimiter(MemoryStorage())

    def hit(self, key_id: str) -> None:
        if not self.limiter.hit(self.item, key_id):
            reset = self.limiter.get_window_stats(self.item, key_id).reset_time
            raise RateLimited(f"rate limit of {self.item.amount} requests per minute reached",
                              retry_after=max(1, int(reset - time.time()) + 1))


def require(scope: Scope):  # noqa: ANN201 - FastAPI dependency factory
    """A dependency that authenticates the caller, checks the scope and honours the caller's bookmark."""

    def check(request: Request, store: StoreDep,
              credentials: Annotated[HTTPAuthorizationCredentials | None, Security(bearer)]) -> ApiKey:
        if credentials is None:
            raise Unauthorized("an API key is required: Authorization: Bearer sg_...")
        key = authenticate(store=store, token=credentials.credentials)
        request.app.state.rate_limit.hit(key.id)
        if not key.allows(scope):
            raise Forbidden(f"this key has scope {key.scope!r}; {scope.value!r} is required")
        request.state.api_key = key
        catch_up(request, store)
        return key

    return check


async def query_parameters(request: Request) -> None:
    """Only the route's own query parameters, each at most once (the API has no list-valued ones):
    a misspelt or repeated parameter is an error naming it, never silently ignored."""
    names = [name for name, _ in request.query_params.multi_items()]
    problems = [Problem(name, "given more than once") for name in sorted({n for n in names if names.count(n) > 1})]
    route = request.scope.get("route")
    known = _published_query_names(request.app).get((getattr(route, "path", None), request.method))
    if known is not None:
        problems += [Problem(name or "(no name)", "not a query parameter of this route")
                     for name in sorted(set(names) - known)]
    if problems:
        raise InvalidInput(problems)


def _published_query_names(app: FastAPI) -> dict[tuple[str, str], frozenset[str]]:
    """Per route path and method, the query parameters the OpenAPI schema publishes (read once per app)."""
    names = getattr(app.state, "query_names", None)
    if names is None:
        names = app.state.query_names = {
            (path, method.upper()): frozenset(p["name"] for p in operation.get("parameters", []) if p["in"] == "query")
            for path, item in app.openapi()["paths"].items() for method, operation in item.items()
        }
    return names


def audit_persons(request: Request, person_ids: list[str]) -> None:
    """Name the persons whose data this request read or changed, for the audit log."""
    request.state.audit_persons = [*getattr(request.state, "audit_persons", []), *person_ids]


Reader = Annotated[ApiKey, Depends(require(Scope.read))]
Writer = Annotated[ApiKey, Depends(require(Scope.write))]
Admin = Annotated[ApiKey, Depends(require(Scope.admin))]
