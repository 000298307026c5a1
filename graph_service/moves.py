"""Job moves derived from employment histories.

A person's *primary* employments (not board seats or advisory roles) are read in
order of start date. When a primary employment at company B follows one at a
different company A that had ended (or whose end is unknown) before B started,
that is a move A -> B dated at B's start. Consecutive primary employments at the
same company are a role change (a promotion is not a move). Side positions held
beside a job never make or end a move. Ids are derived from the two employments,
so deriving again yields the same moves, and a move keeps the time it was first
learned.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from datetime import date, datetime, timezone

from graph_service.layers import layer_of
from graph_service.model import ChangeType, Employment, JobMove, StoredEmployment, content_id
from graph_service.store.base import StoreTx

SIDE_POSITION = re.compile(r"\bboard\b|\badvis|\bnon-executive\b|\btrustee\b|独立董事|^董事$|顾问|监事", re.IGNORECASE)


def is_side_position(employment: Employment | StoredEmployment) -> bool:
    """Board seats and advisory roles, held beside a job."""
    return _side_title(employment.title)


@functools.lru_cache(maxsize=4096)
def _side_title(title: str) -> bool:  # an account repeats a few hundred titles over thousands of people
    return bool(SIDE_POSITION.search(title))


def _order(employment: Employment) -> tuple[date, date, str]:
    return (employment.start or date.min, employment.end or date.max, employment.id)


def derive_moves(employments: Sequence[Employment], *, learned_at: datetime, source: str) -> list[JobMove]:
    """Moves and role changes of one person, oldest first."""
    primary = sorted((e for e in employments if not is_side_position(e) and e.start), key=_order)
    moves = []
    for before, after in zip(primary, primary[1:]):
        if before.end is not None and before.end > after.start:
            continue  # overlapping jobs: a second position, not a change
        from_layer, _ = layer_of(before)
        to_layer, _ = layer_of(after)
        same_company = before.company_id == after.company_id
        if same_company and before.title == after.title:
            continue  # a re-hire record or split of the same role
        moves.append(
            JobMove(
                id=content_id("move", before.id, after.id),
                type=ChangeType.role_change if same_company else ChangeType.move,
                person_id=after.person_id,
                from_company_id=before.company_id,
                from_title=before.title,
                from_layer=from_layer,
                to_company_id=after.company_id,
                to_title=after.title,
                to_layer=to_layer,
                on=after.start,
                precision=after.precision,
                from_employment_id=before.id,
                to_employment_id=after.id,
                learned_at=learned_at,
                source=source,
            )
        )
    return moves


def rederive(tx: StoreTx, person_ids: Sequence[str], *, source: str) -> list[JobMove]:
    """Re-derive the moves of these persons inside a write; returns the moves learned just now."""
    now = datetime.now(timezone.utc)
    by_person: dict[str, list[Employment]] = {id: [] for id in person_ids}
    for employment in tx.employments_of(person_ids):
        by_person[employment.person_id].append(employment)  # type: ignore[attr-defined]
    derived = [move for employments in by_person.values() for move in derive_moves(employments, learned_at=now, source=source)]
    known = tx.get_many("move", [move.id for move in derived])
    moves = [
        move.model_copy(update={"learned_at": known[move.id].learned_at, "source": known[move.id].source})  # type: ignore[attr-defined]
        if move.id in known
        else move
        for move in derived
    ]
    tx.replace_moves(person_ids, moves)
    return [move for move in moves if move.id not in known]
