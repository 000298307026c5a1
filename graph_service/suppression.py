"""The suppression list: digests of the ids and emails of persons erased on request.

It keeps digests, never the erased identifiers themselves. A person whose id or any
email is on the list cannot be imported or referenced again until an admin lifts it.
"""

from __future__ import annotations

import hashlib

from graph_service.model import Person
from graph_service.store.base import StoreTx

COLLECTION = "suppressed"


def digest(value: str) -> str:
    return hashlib.blake2b(value.strip().lower().encode(), digest_size=16).hexdigest()


def keys_of(person_id: str, emails: list[str]) -> list[str]:
    return [f"id:{digest(person_id)}", *(f"email:{digest(email)}" for email in emails)]


def erased_label(person_id: str) -> str:
    """What stands for an erased person where a record of an event must remain (the audit log)."""
    return f"erased:{digest(person_id)}"


def any_suppressed(tx: StoreTx) -> bool:
    return bool(tx.list_docs(COLLECTION, after=None, limit=1))


def is_suppressed(tx: StoreTx, person: Person) -> bool:
    return any(tx.get_doc(COLLECTION, key) is not None for key in keys_of(person.id, person.emails))
