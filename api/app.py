"""The FastAPI application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from api import problems
from api.routes import health, imports, records
from graph_service.settings import Settings, get_settings
from graph_service.store import open_store


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app; the store is opened at startup and closed at shutdown."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.store = open_store(settings)
        yield
        app.state.store.close()

    app = FastAPI(
        title="Stakeholder Graph",
        version="0.1.0",
        description="People, companies and ties for key-account selling: warm introduction paths, "
        "account maps and job moves.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    problems.install(app)
    for module in (health, records, imports):
        app.include_router(module.router)
    return app
