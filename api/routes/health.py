"""Liveness and readiness; the only routes without an API key."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from api.deps import StoreDep

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: str


class Ready(BaseModel):
    status: str
    store: str
    change_seq: int


@router.get("/health", response_model=Health, operation_id="health")
def health() -> Health:
    """The process is up."""
    return Health(status="ok")


@router.get("/ready", response_model=Ready, operation_id="ready", responses={503: {"description": "Store unavailable"}})
def ready(store: StoreDep) -> Ready:
    """The store answers; 503 with Retry-After when it does not."""
    seq = store.read(lambda tx: tx.last_change())
    return Ready(status="ready", store=store.url.split("://")[0], change_seq=seq)
