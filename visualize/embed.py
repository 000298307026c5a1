"""Signed, expiring embed tokens: one view with fixed parameters, shown in another tool's iframe without an API key.

A token carries its *grant* — the view name, its canonical parameters, an
expiry and a token id — signed with HMAC-SHA256 (``itsdangerous``) under the
server's embed secret. Whoever holds the token can see that one view with those
parameters until it expires or is revoked, and nothing else.

Errors (from :mod:`graph_service.errors`, so ``api/`` maps them)::

    Unauthorized
     └── EmbedTokenInvalid      malformed, or signed with another secret (tampered)
          ├── EmbedTokenExpired
          └── EmbedTokenRevoked

Revocation is by token id; the store of revoked ids belongs to the caller, who
passes an ``is_revoked(token_id) -> bool`` callable.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from enum import Enum
from typing import Any, Protocol

from itsdangerous import BadSignature, URLSafeSerializer

from graph_service.errors import InvalidInput, Problem, Unauthorized

SALT = "sgraph.embed.v1"
MIN_SECRET_LENGTH = 16
MAX_TTL = timedelta(days=365)
VIEW_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


class EmbedTokenInvalid(Unauthorized):
    pass


class EmbedTokenExpired(EmbedTokenInvalid):
    pass


class EmbedTokenRevoked(EmbedTokenInvalid):
    pass


class _Secret(Protocol):
    def get_secret_value(self) -> str: ...


Secret = str | bytes | _Secret


@dataclass(frozen=True)
class EmbedGrant:
    """What a token allows: one view, with these canonical parameters, until ``expires_at``, shown as
    ``viewer`` (the id of the user who made it) may see it."""

    view: str
    params: dict[str, str] = field(hash=False)
    token_id: str
    expires_at: datetime
    viewer: str


@dataclass(frozen=True)
class EmbedToken:
    token: str
    grant: EmbedGrant


def _serializer(secret: Secret) -> URLSafeSerializer:
    key = secret.get_secret_value() if hasattr(secret, "get_secret_value") else secret
    if len(key) < MIN_SECRET_LENGTH:
        raise InvalidInput(Problem("embed_secret", f"must be at least {MIN_SECRET_LENGTH} characters"))
    return URLSafeSerializer(key, salt=SALT, signer_kwargs={"digest_method": hashlib.sha256})


def _canonical_value(key: str, value: Any) -> str:
    if isinstance(value, Enum):
        value = value.value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return ",".join(_canonical_value(key, item) for item in value)
    raise InvalidInput(Problem(f"params.{key}", "must be a string, number, boolean, date or list of them"))


def canonical_params(params: Mapping[str, Any]) -> dict[str, str]:
    """Parameters in one canonical form (string values, sorted keys, no None), so equal queries compare equal."""
    return {str(key): _canonical_value(str(key), params[key]) for key in sorted(params) if params[key] is not None}


def _now(now: datetime | None) -> datetime:
    return datetime.now(timezone.utc) if now is None else now.astimezone(timezone.utc)


def mint(
    *,
    secret: Secret,
    view: str,
    params: Mapping[str, Any],
    ttl: timedelta,
    viewer: str,
    now: datetime | None = None,
) -> EmbedToken:
    """A new token for ``view`` with ``params`` as ``viewer`` sees them, valid for ``ttl`` (at most a year),
    with a fresh token id."""
    if not VIEW_NAME.match(view):
        raise InvalidInput(Problem("view", "must be a view name"))
    if not timedelta(0) < ttl <= MAX_TTL:
        raise InvalidInput(Problem("ttl", f"must be positive and at most {MAX_TTL.days} days"))
    expires_at = (_now(now) + ttl).replace(microsecond=0)
    grant = EmbedGrant(view, canonical_params(params), secrets.token_urlsafe(12), expires_at, viewer)
    payload = {"v": grant.view, "p": grant.params, "exp": int(expires_at.timestamp()), "jti": grant.token_id,
               "u": viewer}
    return EmbedToken(_serializer(secret).dumps(payload), grant)


def verify(
    token: str,
    *,
    secret: Secret,
    is_revoked: Callable[[str], bool],
    now: datetime | None = None,
) -> EmbedGrant:
    """The grant of a valid token; EmbedTokenInvalid, EmbedTokenExpired or EmbedTokenRevoked otherwise."""
    try:
        payload = _serializer(secret).loads(token)
    except BadSignature as err:
        raise EmbedTokenInvalid("embed token is not valid") from err
    try:
        grant = EmbedGrant(
            view=str(payload["v"]),
            params={str(k): str(v) for k, v in dict(payload["p"]).items()},
            token_id=str(payload["jti"]),
            expires_at=datetime.fromtimestamp(int(payload["exp"]), timezone.utc),
            viewer=str(payload["u"]),
        )
    except (KeyError, TypeError, ValueError) as err:
        raise EmbedTokenInvalid("embed token is not valid") from err
    if _now(now) >= grant.expires_at:
        raise EmbedTokenExpired("embed token has expired")
    if is_revoked(grant.token_id):
        raise EmbedTokenRevoked("embed token has been revoked")
    return grant
