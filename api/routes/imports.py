"""Bulk imports: a CSV or JSON Lines file per kind, and employment snapshots."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from api.deps import SettingsDep, StoreDep, Writer
from api.schemas import ERRORS
from graph_service.importing.bulk import import_file
from graph_service.importing.snapshot import apply_snapshot
from graph_service.model import DatePrecision, Day

router = APIRouter(tags=["imports"], responses=ERRORS)

Kind = Literal["person", "company", "employment", "tie", "interaction", "referral"]
Format = Literal["csv", "jsonl"]


class ImportResult(BaseModel):
    kind: str
    rows: int
    created: int
    updated: int
    unchanged: int
    dry_run: bool


class SnapshotResult(BaseModel):
    rows: int
    opened: int
    closed: int
    role_changes: int
    moves: int
    stale_persons: list[str]


async def _spool(request: Request, suffix: str) -> Path:
    """The request body in a temporary file, streamed, so large imports stay in constant memory."""
    handle = tempfile.NamedTemporaryFile(delete=False, suffix=suffix)
    with handle:
        async for chunk in request.stream():
            handle.write(chunk)
    return Path(handle.name)


@router.post("/imports/{kind}", response_model=ImportResult, operation_id="import_records",
             openapi_extra={"requestBody": {"content": {"text/csv": {"schema": {"type": "string"}}}}},
             description="The request body is the file: CSV, or JSON Lines with format=jsonl.")
async def import_records(kind: Kind, request: Request, store: StoreDep, settings: SettingsDep, _: Writer,
                         format: Format = "csv", create_placeholders: bool = False, dry_run: bool = False) -> ImportResult:
    """Import a whole file (the request body); any invalid row means nothing is written and every problem is listed."""
    path = await _spool(request, f".{format}")
    try:
        summary = await run_in_threadpool(
            lambda: import_file(store=store, entity=kind, path=path, fmt=format, create_placeholders=create_placeholders,
                                batch_size=settings.import_batch_size, dry_run=dry_run, source="import"))
    finally:
        path.unlink(missing_ok=True)
    return ImportResult(kind=kind, rows=summary.rows, created=summary.created, updated=summary.updated,
                        unchanged=summary.unchanged, dry_run=dry_run)


@router.post("/snapshots", response_model=SnapshotResult, operation_id="apply_snapshot",
             openapi_extra={"requestBody": {"content": {"text/csv": {"schema": {"type": "string"}}}}},
             description="The request body is the file: CSV, or JSON Lines with format=jsonl.")
async def snapshot(request: Request, store: StoreDep, _: Writer, as_of: Annotated[Day, Query()],
                   precision: DatePrecision = DatePrecision.day, format: Format = "csv") -> SnapshotResult:
    """Who works where as of a date: closes ended positions, opens new ones, derives job moves."""
    path = await _spool(request, f".{format}")
    try:
        summary = await run_in_threadpool(
            lambda: apply_snapshot(store=store, path=path, as_of=as_of, precision=precision, fmt=format))
    finally:
        path.unlink(missing_ok=True)
    return SnapshotResult(**summary.__dict__)
