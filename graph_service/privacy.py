"""Data-subject requests: export everything held about a person; erase a person for good.

Erasure removes the person and every tie, referral, employment and job move that
involves them, takes them out of interactions (an interaction left with fewer than
two persons is deleted), drops webhook deliveries about their moves (pending or
done), unlinks API keys, scrubs the audit log and the change feed, and puts digests
of their id and emails on the suppression list so that a later import is refused
until an admin lifts it. The feed then holds one ``erase`` change without ids:
projections, indexes and caches that follow it rebuild from the store.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from graph_service import audit, suppression, webhooks
from graph_service.errors import NotFound
from graph_service.model import Interaction, Person
from graph_service.store.base import Store, StoreTx

PAGE = 1000
INVOLVING = ("tie", "interaction", "referral", "employment", "move")


def _all(tx: StoreTx, entity: str, person_id: str) -> list[Any]:
    found, after = [], None
    while True:
        page = tx.list(entity, after=after, limit=PAGE, filters={"person_id": person_id})
        found += page
        if len(page) < PAGE:
            return found
        after = page[-1].id


def export_person(*, store: Store, person_id: str) -> dict[str, Any]:
    """Everything held about one person, as JSON-ready data."""

    def run(tx: StoreTx) -> dict[str, Any]:
        found = tx.get_many("person", [person_id])
        if person_id not in found:
            raise NotFound("person", person_id)
        held = {"person": found[person_id].model_dump(mode="json")}
        for entity in INVOLVING:
            held[f"{entity}s"] = [r.model_dump(mode="json") for r in _all(tx, entity, person_id)]
        return held

    return store.read(run)


def erase_person(*, store: Store, person_id: str, by: str) -> dict[str, int]:
    """Remove every trace of a person in one transaction; returns what was removed, by kind."""

    def run(tx: StoreTx) -> dict[str, int]:
        found = tx.get_many("person", [person_id])
        if person_id not in found:
            raise NotFound("person", person_id)
        person: Person = found[person_id]  # type: ignore[assignment]
        removed: dict[str, int] = {}
        gone = [person_id]
        for entity in INVOLVING:
            records = _all(tx, entity, person_id)
            if entity == "interaction":
                records = _leave_interactions(tx, records, person_id)
            if entity == "move":
                removed["webhook_events"] = webhooks.forget_moves(tx, {r.id for r in records})
            gone += [r.id for r in records]
            removed[entity] = tx.delete(entity, [r.id for r in records])
        removed["person"] = tx.delete("person", [person_id])
        tx.erase_from_changes(gone)
        _unlink_keys(tx, person_id)
        at = datetime.now(timezone.utc).isoformat()
        for key in suppression.keys_of(person.id, person.emails):
            tx.put_doc(suppression.COLLECTION, key, {"id": key, "at": at, "by": by})
        audit.scrub(tx, person_id)
        return removed

    return store.write(run)


def _leave_interactions(tx: StoreTx, interactions: list[Interaction], person_id: str) -> list[Interaction]:
    """Take the person out of shared interactions; return those left with too few persons, to delete."""
    doomed, kept = [], []
    for interaction in interactions:
        rest = [p for p in interaction.persons() if p != person_id]
        if len(rest) < 2:
            doomed.append(interaction)
            continue
        kept.append(interaction.model_copy(update={
            "initiator": None if interaction.initiator == person_id else interaction.initiator,
            "participants": [p for p in interaction.participants if p != person_id] or [interaction.initiator],
            "cc": [p for p in interaction.cc if p != person_id],
        }))
    if kept:
        tx.upsert("interaction", kept)
    return doomed


def _unlink_keys(tx: StoreTx, person_id: str) -> None:
    for doc in tx.list_docs("api_keys", after=None, limit=100_000):
        if doc.get("person_id") == person_id:
            tx.put_doc("api_keys", doc["id"], {**doc, "person_id": None})


def lift_suppression(*, store: Store, person_id: str, emails: list[str]) -> int:
    """An admin allows a person to be imported again; returns how many entries were lifted."""
    keys = suppression.keys_of(person_id, emails)
    return sum(store.write(lambda tx: [tx.delete_doc(suppression.COLLECTION, key) for key in keys]))
