"""Readiness: with liveness (``api.liveness``), the only routes without an API key."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from api.deps import StoreDep

router = APIRouter(tags=["health"])


class Ready(BaseModel):
    status: str
    store: str
    change_seq: int = Field(description="the last committed change in the store's change feed")
    projection_lag: int | None = Field(
        description="changes committed that this worker's projection has not applied yet (null: not built yet); "
        "every query applies them first"
    )


@router.get("/ready", response_model=Ready, operation_id="ready", responses={503: {"description": "Store unavailable"}})
def ready(request: Request, store: StoreDep) -> Ready:
    """The store answers; 503 with Retry-After when it does not."""
    seq = store.read(lambda tx: tx.last_change())
    projection = getattr(request.app.state, "projection", None)
    lag = None if projection is None else max(0, seq - projection.seq)
    return Ready(status="ready", store=store.url.split("://")[0], change_seq=seq, projection_lag=lag)
