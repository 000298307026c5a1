"""Who may see and change which ties and interactions.

Ties and interactions have an owner (who recorded or imported them) and a
visibility: ``team`` (everyone), ``private`` (only the owner sees it; it still
counts in path finding, shown to others as "a private contact of OWNER"), or
``hidden`` (only the owner sees it; never used). Other records are team data.
Only the owner, or an admin, changes an owned record.
"""

from __future__ import annotations

from dataclasses import dataclass

from graph_service.errors import Forbidden, NotFound
from graph_service.model import Record, Visibility


@dataclass(frozen=True)
class Viewer:
    """The caller: the team member (person id) they are, or their user name; admins manage."""

    id: str
    admin: bool = False


def owner_of(record: Record) -> str | None:
    return getattr(record, "owner", None)


def can_see(viewer: Viewer, record: Record) -> bool:
    visibility = getattr(record, "visibility", Visibility.team)
    return visibility == Visibility.team or owner_of(record) == viewer.id


def check_can_change(viewer: Viewer, entity: str, record: Record) -> None:
    """NotFound for what the viewer cannot see; Forbidden for someone else's record."""
    if not can_see(viewer, record):
        raise NotFound(entity, record.id)
    owner = owner_of(record)
    if owner is not None and owner != viewer.id and not viewer.admin:
        raise Forbidden(f"{entity} {record.id!r} belongs to {owner}; only they or an admin can change it")
