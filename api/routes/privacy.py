"""Data-subject requests and the audit log (admin only)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from api.deps import Admin, StoreDep, audit_persons
from api.schemas import ERRORS
from graph_service import audit, privacy
from graph_service.model import Moment

router = APIRouter(tags=["privacy"], responses=ERRORS)


class Erased(BaseModel):
    person_id: str
    removed: dict[str, int]


class Lift(BaseModel):
    person_id: str
    emails: list[str] = []


@router.get("/people/{person_id}/export", operation_id="export_person")
def export_person(person_id: str, request: Request, store: StoreDep, _: Admin) -> dict[str, Any]:
    """Everything held about a person (a data-subject access request)."""
    audit_persons(request, [person_id])
    return privacy.export_person(store=store, person_id=person_id)


@router.post("/people/{person_id}/erase", response_model=Erased, operation_id="erase_person")
def erase_person(person_id: str, store: StoreDep, key: Admin) -> Erased:
    """Erase a person and everything involving them; later imports of them are refused."""
    removed = privacy.erase_person(store=store, person_id=person_id, by=key.user)
    return Erased(person_id=person_id, removed=removed)


@router.post("/suppressions/lift", operation_id="lift_suppression")
def lift(body: Lift, store: StoreDep, _: Admin) -> dict[str, int]:
    """Allow an erased person to be imported again."""
    return {"lifted": privacy.lift_suppression(store=store, person_id=body.person_id, emails=body.emails)}


class AuditQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    person_id: str | None = None
    user: str | None = None
    since: Moment | None = None
    after: str | None = Field(None, description="the id of the last entry seen")
    limit: int = Field(100, ge=1, le=1000)


@router.get("/audit", operation_id="query_audit")
def query_audit(request: Request, store: StoreDep, _: Admin, query: Annotated[AuditQuery, Query()]) -> list[dict[str, Any]]:
    """Who read or changed whose data, when and through which route, oldest first."""
    request.app.state.audit.flush()
    return audit.query(store=store, **query.model_dump())
