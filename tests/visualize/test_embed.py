"""Embed tokens: bound to one view, its parameters and an expiry; revocable; tamper-evident."""

from __future__ import annotations

import string
from datetime import date, datetime, timedelta, timezone

import pytest
from pydantic import SecretStr

from graph_service.errors import InvalidInput, Unauthorized
from visualize import embed

SECRET = "s3cret-s3cret-s3cret-0123456789"
NOW = datetime(2025, 6, 1, 12, 0, tzinfo=timezone.utc)
PARAMS = {"person_id": "p-42", "depth": 2, "cap": 30}


def never(_: str) -> bool:
    return False


@pytest.fixture
def minted() -> embed.EmbedToken:
    return embed.mint(viewer="me", secret=SECRET, view="network", params=PARAMS, ttl=timedelta(hours=1), now=NOW)


def test_valid_token_returns_its_grant(minted: embed.EmbedToken) -> None:
    grant = embed.verify(minted.token, secret=SECRET, is_revoked=never, now=NOW + timedelta(minutes=59))
    assert grant == minted.grant
    assert (grant.view, grant.viewer) == ("network", "me")
    assert grant.params == {"cap": "30", "depth": "2", "person_id": "p-42"}
    assert grant.expires_at == NOW + timedelta(hours=1)


def test_params_are_kept_in_canonical_form(minted: embed.EmbedToken) -> None:
    as_query = {"cap": "30", "person_id": "p-42", "depth": "2", "unused": None}
    assert embed.canonical_params(as_query) == minted.grant.params


def test_expired(minted: embed.EmbedToken) -> None:
    with pytest.raises(embed.EmbedTokenExpired) as caught:
        embed.verify(minted.token, secret=SECRET, is_revoked=never, now=NOW + timedelta(hours=1))
    assert isinstance(caught.value, Unauthorized)


@pytest.mark.parametrize("position", [1, 10, -1, -2, -10])
def test_tampered(minted: embed.EmbedToken, position: int) -> None:
    # flip the top bit of one base64url character (the low bits of the last one carry no data)
    alphabet = string.ascii_uppercase + string.ascii_lowercase + string.digits + "-_"
    chars = list(minted.token)
    assert chars[position] in alphabet
    chars[position] = alphabet[alphabet.index(chars[position]) ^ 32]
    with pytest.raises(embed.EmbedTokenInvalid):
        embed.verify("".join(chars), secret=SECRET, is_revoked=never, now=NOW)


def test_truncated_or_extended(minted: embed.EmbedToken) -> None:
    for token in (minted.token[1:], minted.token[:-1], minted.token + "A", minted.token.replace(".", "", 1)):
        with pytest.raises(embed.EmbedTokenInvalid):
            embed.verify(token, secret=SECRET, is_revoked=never, now=NOW)


def test_payload_swapped_from_another_token(minted: embed.EmbedToken) -> None:
    other = embed.mint(viewer="me", secret=SECRET, view="network", params={**PARAMS, "person_id": "ceo"}, ttl=timedelta(hours=1),
                       now=NOW)
    forged = other.token.rsplit(".", 1)[0] + "." + minted.token.rsplit(".", 1)[1]
    with pytest.raises(embed.EmbedTokenInvalid):
        embed.verify(forged, secret=SECRET, is_revoked=never, now=NOW)


def test_other_secret(minted: embed.EmbedToken) -> None:
    with pytest.raises(embed.EmbedTokenInvalid):
        embed.verify(minted.token, secret=SECRET + "x", is_revoked=never, now=NOW)


@pytest.mark.parametrize("garbage", ["", "abc", "a.b.c", "."])
def test_garbage(garbage: str) -> None:
    with pytest.raises(embed.EmbedTokenInvalid):
        embed.verify(garbage, secret=SECRET, is_revoked=never, now=NOW)


def test_revoked(minted: embed.EmbedToken) -> None:
    revoked = {minted.grant.token_id}
    with pytest.raises(embed.EmbedTokenRevoked) as caught:
        embed.verify(minted.token, secret=SECRET, is_revoked=revoked.__contains__, now=NOW)
    assert isinstance(caught.value, Unauthorized)
    other = embed.mint(viewer="me", secret=SECRET, view="network", params=PARAMS, ttl=timedelta(hours=1), now=NOW)
    assert other.grant.token_id != minted.grant.token_id
    embed.verify(other.token, secret=SECRET, is_revoked=revoked.__contains__, now=NOW)


def test_secret_may_be_a_secret_str() -> None:
    token = embed.mint(viewer="me", secret=SecretStr(SECRET), view="paths", params={"to": "ceo"}, ttl=timedelta(minutes=5), now=NOW)
    assert embed.verify(token.token, secret=SECRET, is_revoked=never, now=NOW).view == "paths"


def test_refuses_weak_secret_bad_ttl_bad_view_and_nested_params() -> None:
    with pytest.raises(InvalidInput):
        embed.mint(viewer="me", secret="short", view="paths", params={}, ttl=timedelta(minutes=5))
    with pytest.raises(InvalidInput):
        embed.mint(viewer="me", secret=SECRET, view="paths", params={}, ttl=timedelta(0))
    with pytest.raises(InvalidInput):
        embed.mint(viewer="me", secret=SECRET, view="paths", params={}, ttl=timedelta(days=366))
    with pytest.raises(InvalidInput):
        embed.mint(viewer="me", secret=SECRET, view="../admin", params={}, ttl=timedelta(minutes=5))
    with pytest.raises(InvalidInput):
        embed.mint(viewer="me", secret=SECRET, view="paths", params={"x": {"y": 1}}, ttl=timedelta(minutes=5))


def test_canonical_params() -> None:
    assert embed.canonical_params({"b": True, "a": date(2024, 1, 2), "c": [1, "x"], "d": None}) == {
        "a": "2024-01-02", "b": "true", "c": "1,x"}
