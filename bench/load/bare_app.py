"""The peer for the trivial-endpoint comparison: a bare Starlette app with one route.

    uvicorn bench.load.bare_app:app --workers 2 --no-access-log

``GET /health`` answers ``{"status": "ok"}`` as the service's own ``/health`` does,
with nothing else in the way (no middleware, no dependencies, no validation).
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route


async def health(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


app = Starlette(routes=[Route("/health", health)])
