"""Who may see and change which ties and interactions.

Ties and interactions have an owner (who recorded or imported them) and a
visibility: ``team`` (everyone), ``private`` (only the owner sees it; it still
counts in path finding, shown to others as "a private contact of OWNER: ask them",
without the person it reaches, its strength or its evidence), or
``hidden`` (only the owner sees it; never used). A private interaction counts in
nothing but its owner's own lists. Other records are team data.
Only the owner, or an admin, changes an owned record.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from graph_service.errors import Forbidden, NotFound
from graph_service.model import Record, Visibility


@dataclass(frozen=True)
class Viewer:
    """The caller: the team member (person id) they are, or their user name; admins manage.

    ``everything``: the operator at the command line, who holds the store itself,
    sees every private tie (see :data:`OPERATOR`).
    """

    id: str
    admin: bool = False
    everything: bool = False

    def sees_private(self, owner: str) -> bool:
        """Whether this viewer sees the person, strength and evidence of a private tie of ``owner``."""
        return self.everything or owner == self.id


OPERATOR = Viewer(id="", admin=True, everything=True)


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


def private_note(owner_name: str) -> str:
    """What anyone but its owner reads in place of a private contact."""
    return f"a private contact of {owner_name}: ask them"


def masking_owners(owners: Sequence[str | None]) -> list[str | None]:
    """Per hop, whose private tie masks it: its own tie's owner, else a neighbouring hop's (whose person it reaches)."""
    return [owner or next((owners[j] for j in (i - 1, i + 1) if 0 <= j < len(owners) and owners[j]), None)
            for i, owner in enumerate(owners)]


def masked_path(viewer: Viewer, nodes: Sequence[str], owners: Sequence[str | None]) -> tuple[set[int], set[int]]:
    """What of a path the viewer may not see: positions of hidden persons, and of hidden hops.

    ``owners[i]`` is the owner of the private tie hop ``i`` runs over (None: a team
    tie). A hop over someone else's private tie hides its strength and evidence,
    and the person it reaches unless that is the path's start or end or the tie's
    owner; a hop touching a hidden person is hidden too (its evidence would name them).
    """
    hidden_nodes: set[int] = set()
    foreign = {i for i, owner in enumerate(owners) if owner is not None and not viewer.sees_private(owner)}
    for i in foreign:
        hidden_nodes |= {j for j in (i, i + 1) if 0 < j < len(nodes) - 1 and nodes[j] != owners[i]}
    hidden_hops = foreign | {i for i in range(len(owners)) if i in hidden_nodes or i + 1 in hidden_nodes}
    return hidden_nodes, hidden_hops
