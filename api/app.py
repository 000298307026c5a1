"""The FastAPI application factory."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import Depends, FastAPI

from api import bookmarks, liveness, problems
from api.audit import AuditMiddleware
from api.deps import RateLimit, prepare_store, query_parameters
from api.routes import accounts, connect, health, imports, intros, moves, privacy, records, views
from graph_service import webhooks
from graph_service.audit import AuditLog
from graph_service.errors import StoreUnavailable
from graph_service.settings import Settings, get_settings
from graph_service.store import open_store

log = logging.getLogger(__name__)


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app; the store is opened at startup and closed at shutdown."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.worker_threads
        store = open_store(settings, prepare=False)
        app.state.store = store
        app.state.schema_ready = False
        try:
            prepare_store(app)
        except StoreUnavailable:
            log.warning("store %s unavailable at start; answering 503 until it is back", settings.store.split("://")[0])
        app.state.audit = AuditLog(store)
        app.state.audit.start()
        stop_dispatcher = webhooks.start_dispatcher(store, settings)
        yield
        stop_dispatcher()
        app.state.audit.stop()
        store.close()

    app = FastAPI(
        title="Stakeholder Graph",
        version="0.1.0",
        description="People, companies and ties for key-account selling: warm introduction paths, "
        "account maps and job moves.",
        lifespan=lifespan,
        dependencies=[Depends(query_parameters)],
    )
    app.state.settings = settings
    app.state.rate_limit = RateLimit(settings.rate_limit_per_minute)
    problems.install(app)
    app.add_middleware(AuditMiddleware)
    bookmarks.install(app)
    liveness.install(app)
    # specific paths (/moves/feed) before the generic record routes (/moves/{id})
    for module in (health, intros, accounts, moves, views, connect, privacy, imports, records):
        app.include_router(module.router)
    return app
