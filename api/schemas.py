"""Response shapes shared by routes."""

from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import BaseModel

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """One page of a list; pass ``next_cursor`` as ``after`` to get the next (null at the end)."""

    items: list[T]
    next_cursor: str | None


class Problem(BaseModel):
    """RFC 9457 problem details."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    instance: str | None = None
    errors: list[dict[str, object]] | None = None


class WriteSummary(BaseModel):
    created: int
    updated: int
    unchanged: int
    moves_learned: int = 0


ERRORS = {
    status: {"model": Problem, "content": {"application/problem+json": {}}, "description": title}
    for status, title in [(400, "Unreadable request body"), (401, "No or unknown API key"), (403, "Scope not allowed"), (404, "Unknown id"),
                          (409, "Conflict"), (422, "Invalid input"), (503, "Store unavailable")]
}
"""Error responses every authenticated route may give, for the OpenAPI schema."""
