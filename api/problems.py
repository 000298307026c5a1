"""The one place that maps domain errors to HTTP: RFC 9457 problem+json responses."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from graph_service.bookmarks import MalformedBookmark
from graph_service.errors import (
    Conflict,
    Forbidden,
    GraphServiceError,
    InvalidInput,
    NotFound,
    RateLimited,
    StoreUnavailable,
    Unauthorized,
    problems_from_errors,
)

log = logging.getLogger(__name__)

STATUS: list[tuple[type[GraphServiceError], int, str]] = [
    (MalformedBookmark, 400, "Bad Request"),
    (NotFound, 404, "Not Found"),
    (Conflict, 409, "Conflict"),
    (InvalidInput, 422, "Invalid Input"),
    (Unauthorized, 401, "Unauthorized"),
    (Forbidden, 403, "Forbidden"),
    (RateLimited, 429, "Too Many Requests"),
    (StoreUnavailable, 503, "Store Unavailable"),
]


def problem(status: int, title: str, detail: str, headers: dict[str, str] | None = None, **extra: object) -> JSONResponse:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    return JSONResponse(body, status_code=status, media_type="application/problem+json", headers=headers)


async def _domain_error(request: Request, exc: Exception) -> JSONResponse:
    for kind, status, title in STATUS:
        if isinstance(exc, kind):
            break
    else:
        status, title = 500, "Internal Server Error"
    headers = {}
    extra: dict[str, object] = {"instance": request.url.path}
    if isinstance(exc, InvalidInput):
        extra["errors"] = [{"line": p.line, "field": p.field, "reason": p.reason} for p in exc.problems]
    if isinstance(exc, (StoreUnavailable, RateLimited)):
        headers["Retry-After"] = str(exc.retry_after)
    if isinstance(exc, Unauthorized):
        headers["WWW-Authenticate"] = "Bearer"
    return problem(status, title, str(exc), headers, **extra)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [{"line": None, "field": p.field, "reason": p.reason}
              for p in problems_from_errors(list(exc.errors()), skip=("body",))]
    shown = "; ".join(f"{e['field']}: {e['reason']}" for e in errors[:5])
    return problem(422, "Invalid Input", shown, instance=request.url.path, errors=errors)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    return problem(exc.status_code, exc.detail if isinstance(exc.detail, str) else "Error", str(exc.detail),
                   dict(exc.headers or {}), instance=request.url.path)


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unexpected error on %s", request.url.path)
    return problem(500, "Internal Server Error", "unexpected error; it has been logged", instance=request.url.path)


def install(app: FastAPI) -> None:
    app.add_exception_handler(GraphServiceError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
