"""The peers for the trivial-endpoint comparison: a bare Starlette app and a bare FastAPI app, one route each.

    uvicorn --app-dir bench/load bare_app:app --workers 2 --no-access-log
    uvicorn --app-dir bench/load bare_app:fastapi_app --workers 2 --no-access-log

``GET /health`` answers ``{"status": "ok"}`` as the service's own ``/health`` does,
with nothing else in the way (no middleware, no dependencies). The FastAPI one
declares the same response model as the service's route: the framework's own
cost, without anything the service adds.
"""

from __future__ import annotations

from fastapi import FastAPI
from pydantic import BaseModel
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route


async def health(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


app = Starlette(routes=[Route("/health", health)])


class Health(BaseModel):
    status: str


fastapi_app = FastAPI()


@fastapi_app.get("/health", response_model=Health)
async def fastapi_health() -> Health:
    return Health(status="ok")
