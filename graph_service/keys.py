"""API keys: shown once, stored as a SHA-256 digest, scoped, revocable.

A key reads ``sg_<key id>_<secret>``. The key id finds the stored record; the
secret is compared by digest in constant time. Keys are high-entropy random
tokens, so a fast digest is the right tool (as for GitHub or Stripe tokens);
a password hash would only slow every request down.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timezone
from enum import StrEnum

from pydantic import BaseModel

from graph_service.access import Viewer
from graph_service.errors import InvalidInput, NotFound, Problem, Unauthorized
from graph_service.store.base import Store

COLLECTION = "api_keys"


class Scope(StrEnum):
    """read (viewer) < write (member) < admin."""

    read = "read"
    write = "write"
    admin = "admin"


SCOPE_RANK = {Scope.read: 0, Scope.write: 1, Scope.admin: 2}


class ApiKey(BaseModel):
    id: str
    user: str
    scope: Scope
    person_id: str | None = None
    digest: str
    created_at: datetime
    revoked_at: datetime | None = None

    def allows(self, needed: Scope) -> bool:
        return self.revoked_at is None and SCOPE_RANK[self.scope] >= SCOPE_RANK[needed]

    def viewer(self) -> Viewer:
        """Who this key acts as: its team member if linked, else its user."""
        return Viewer(id=self.person_id or self.user, admin=self.scope == Scope.admin)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create(*, store: Store, user: str, scope: Scope, person_id: str | None = None) -> tuple[ApiKey, str]:
    """A new key and its token; the token is never stored and cannot be shown again."""
    if not user.strip():
        raise InvalidInput(Problem("user", "must not be empty"))
    key_id, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
    key = ApiKey(id=key_id, user=user, scope=scope, person_id=person_id, digest=_digest(secret),
                 created_at=datetime.now(timezone.utc))
    store.write(lambda tx: tx.put_doc(COLLECTION, key_id, key.model_dump(mode="json")))
    return key, f"sg_{key_id}_{secret}"


def list_keys(*, store: Store) -> list[ApiKey]:
    docs = store.read(lambda tx: tx.list_docs(COLLECTION, after=None, limit=10_000))
    return [ApiKey.model_validate(doc) for doc in docs]


def revoke(*, store: Store, key_id: str) -> ApiKey:
    def run(tx):  # noqa: ANN001, ANN202
        doc = tx.get_doc(COLLECTION, key_id)
        if doc is None:
            raise NotFound("api key", key_id)
        key = ApiKey.model_validate(doc)
        if key.revoked_at is None:
            key.revoked_at = datetime.now(timezone.utc)
            tx.put_doc(COLLECTION, key_id, key.model_dump(mode="json"))
        return key

    return store.write(run)


def authenticate(*, store: Store, token: str) -> ApiKey:
    """The live key behind a token, or Unauthorized."""
    parts = token.split("_", 2)
    if len(parts) != 3 or parts[0] != "sg":
        raise Unauthorized("malformed API key")
    doc = store.read(lambda tx: tx.get_doc(COLLECTION, parts[1]))
    if doc is None:
        raise Unauthorized("unknown API key")
    key = ApiKey.model_validate(doc)
    if not hmac.compare_digest(key.digest, _digest(parts[2])) or key.revoked_at is not None:
        raise Unauthorized("unknown or revoked API key")
    return key
