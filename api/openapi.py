"""Amendments to the OpenAPI schema FastAPI generates from the routes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

Schema = dict[str, Any]


def amend(app: FastAPI, document: Callable[[Schema], Schema]) -> None:
    """Pass the app's OpenAPI schema through ``document`` once, when it is first built (amendments chain)."""
    build = app.openapi

    def openapi() -> Schema:
        if app.openapi_schema is None:
            app.openapi_schema = document(build())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
