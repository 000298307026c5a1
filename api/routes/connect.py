"""Connector uploads (LinkedIn, vCard, iCalendar, mbox, CRM), merges and the review list."""

from __future__ import annotations

import shutil
import tempfile
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Query, UploadFile
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from api.deps import Reader, StoreDep, Writer
from api.schemas import ERRORS
from graph_service.connectors import merges as merge_docs
from graph_service.connectors.service import Options, connect
from graph_service.connectors.sync import ConnectSummary

router = APIRouter(tags=["connect"], responses=ERRORS)

Kind = Literal["linkedin", "vcard", "ics", "mbox", "crm"]
SHOWN = 100


class SkippedRow(BaseModel):
    line: int | None
    reason: str
    detail: str


class ConnectResult(BaseModel):
    """What an import did (or, with ``dry_run``, would do); lists are cut at 100 items."""

    kind: str
    file: str
    dry_run: bool
    created: dict[str, int]
    updated: dict[str, int]
    unchanged: dict[str, int]
    merged: int
    review: int
    moves: int
    skipped: dict[str, int]
    skipped_rows: list[SkippedRow]
    merges: list[dict[str, Any]]
    reviews: list[dict[str, Any]]
    job_moves: list[dict[str, Any]]


class Merge(BaseModel):
    id: str
    status: str
    survivor: str
    merged: str
    rule: str
    score: float
    evidence: str
    person: dict[str, Any]
    added: dict[str, Any]
    sources: list[dict[str, Any]]
    at: str
    undone_at: str | None
    records: int = 0


class MergeDetail(Merge):
    entries: list[dict[str, Any]]


class Review(BaseModel):
    id: str
    status: str
    candidate: dict[str, Any]
    options: list[dict[str, Any]]
    reason: str
    kind: str
    file: str
    at: str
    merge_id: str | None = None


class MergePage(BaseModel):
    items: list[Merge]
    next_cursor: str | None


class ReviewPage(BaseModel):
    items: list[Review]
    next_cursor: str | None


def _result(summary: ConnectSummary) -> ConnectResult:
    return ConnectResult(
        kind=summary.kind, file=summary.file, dry_run=summary.dry_run, created=summary.created,
        updated=summary.updated, unchanged=summary.unchanged, merged=summary.merged, review=summary.review,
        moves=summary.moves, skipped=summary.skipped,
        skipped_rows=[SkippedRow(line=s.line, reason=s.reason, detail=s.detail) for s in summary.skipped_rows[:SHOWN]],
        merges=summary.merges[:SHOWN], reviews=summary.reviews[:SHOWN], job_moves=summary.job_moves[:SHOWN])


def _spool(upload: UploadFile, path: Path) -> Path:
    """An upload as a file on disk (mailboxes are read by path); the client's file name is only kept for reports."""
    with open(path, "wb") as handle:
        shutil.copyfileobj(upload.file, handle)
    return path


@router.post("/connect/{kind}", response_model=ConnectResult, operation_id="connect_file")
async def connect_file(kind: Kind, store: StoreDep, _: Writer, file: Annotated[UploadFile, File()],
                       mapping: Annotated[UploadFile | None, File(description="CRM column mapping (.toml or .json)")] = None,
                       as_: Annotated[str | None, Query(alias="as", description="person id of the exporting team member")] = None,
                       as_of: Annotated[date | None, Query(description="date of the export (default: today)")] = None,
                       table: Annotated[str | None, Query(description="CRM table: accounts, contacts or opportunities")] = None,
                       default_tz: Annotated[str, Query(description="zone of floating calendar times")] = "UTC",
                       dry_run: bool = False) -> ConnectResult:
    """Import one exported file; with ``dry_run`` only report what would change. Unreadable rows are skipped and listed."""
    with tempfile.TemporaryDirectory(prefix="sgraph-connect-") as folder:
        path = await run_in_threadpool(_spool, file, Path(folder) / "upload")
        mapping_path = None
        if mapping is not None:
            suffix = ".toml" if (mapping.filename or "").lower().endswith(".toml") else ".json"
            mapping_path = await run_in_threadpool(_spool, mapping, Path(folder) / f"mapping{suffix}")
        options = Options(owner=as_, as_of=as_of, mapping=mapping_path, table=table, default_tz=default_tz,
                          file_name=Path(file.filename or f"upload.{kind}").name)
        summary = await run_in_threadpool(
            lambda: connect(store=store, kind=kind, path=path, options=options, dry_run=dry_run))
    return _result(summary)


@router.get("/connect/merges", response_model=MergePage, operation_id="list_merges")
def list_merges(store: StoreDep, _: Reader, status: Literal["active", "undone"] | None = None, after: str | None = None,
                limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> dict[str, Any]:
    """Merges of the same person from several sources, with rule, evidence and sources."""
    items = merge_docs.list_merges(store=store, status=status, after=after, limit=limit)
    return {"items": items, "next_cursor": items[-1]["id"] if len(items) == limit else None}


@router.get("/connect/merges/{id}", response_model=MergeDetail, operation_id="get_merge")
def get_merge(id: str, store: StoreDep, _: Reader) -> dict[str, Any]:
    """One merge with every record it re-pointed."""
    return merge_docs.get_merge(store=store, id=id)


@router.post("/connect/merges/{id}/undo", response_model=Merge, operation_id="undo_merge")
def undo_merge(id: str, store: StoreDep, _: Writer) -> dict[str, Any]:
    """Undo a merge: the merged person and their records come back; the pair is never merged again."""
    return merge_docs.undo(store=store, id=id)


@router.get("/connect/review", response_model=ReviewPage, operation_id="list_review")
def list_review(store: StoreDep, _: Reader, status: Literal["open", "merged", "dismissed"] | None = "open",
                after: str | None = None, limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> dict[str, Any]:
    """Ambiguous matches, never merged silently: a person from an import and who they may be."""
    items = merge_docs.list_reviews(store=store, status=status, after=after, limit=limit)
    return {"items": items, "next_cursor": items[-1]["id"] if len(items) == limit else None}


@router.post("/connect/review/{id}/merge", response_model=Merge, operation_id="merge_review")
def merge_review(id: str, store: StoreDep, _: Writer,
                 into: Annotated[str, Query(description="the person id the candidate is")]) -> dict[str, Any]:
    """Decide a review item: the candidate is ``into``; their records move over (the merge can be undone)."""
    return merge_docs.merge_review(store=store, id=id, into=into)


@router.post("/connect/review/{id}/dismiss", response_model=Review, operation_id="dismiss_review")
def dismiss_review(id: str, store: StoreDep, _: Writer) -> dict[str, Any]:
    """Decide a review item: the candidate is none of the options; they are never matched again."""
    return merge_docs.dismiss_review(store=store, id=id)
