"""Bookmark tokens: a well-kept encoding that round-trips, and every malformed token refused with its reason."""

from __future__ import annotations

import base64
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from graph_service.bookmarks import MAX_TOKEN_CHARS, Bookmark, Causal, current, following, read_after

NEO4J = "FB:kcwQy9m9EXzHRUq3jvnT8wfFpckz0fsDKI2QBcfKg3sqlZDX6hmHdZA"


def encoded(doc: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(doc).encode()).rstrip(b"=").decode()


def test_a_token_is_unpadded_base64url_json() -> None:
    token = Bookmark(42, frozenset({NEO4J})).encode()
    assert "=" not in token
    assert json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))) == {"v": 1, "seq": 42, "neo4j": [NEO4J]}
    assert Bookmark.decode(token) == Bookmark(42, frozenset({NEO4J}))
    assert Bookmark.decode(Bookmark(0).encode()) == Bookmark(0)


@given(st.integers(min_value=0, max_value=2**63), st.frozensets(st.text(min_size=1, max_size=80), max_size=3))
def test_every_bookmark_round_trips(seq: int, neo4j: frozenset[str]) -> None:
    assert Bookmark.decode(Bookmark(seq, neo4j).encode()) == Bookmark(seq, neo4j)


@pytest.mark.parametrize(("token", "reason"), [
    ("", "1 to 4096 characters"),
    ("a" * (MAX_TOKEN_CHARS + 1), "1 to 4096 characters"),
    ("eyJ2IjoxfQ==", "base64url characters only"),  # padded
    ("not a token", "base64url characters only"),
    ("e30+", "base64url characters only"),  # standard base64, not base64url
    ("zzz", "base64url JSON"),
    (encoded([1, 2]), "expected the keys v, seq and neo4j"),
    (encoded({"v": 1, "seq": 1}), "expected the keys v, seq and neo4j"),
    (encoded({"v": 1, "seq": 1, "neo4j": [], "admin": True}), "expected the keys v, seq and neo4j"),
    (encoded({"v": 2, "seq": 1, "neo4j": []}), "unknown bookmark token version 2"),
    (encoded({"v": 1, "seq": -1, "neo4j": []}), "seq must be a non-negative integer"),
    (encoded({"v": 1, "seq": "7", "neo4j": []}), "seq must be a non-negative integer"),
    (encoded({"v": 1, "seq": True, "neo4j": []}), "seq must be a non-negative integer"),
    (encoded({"v": 1, "seq": 1.5, "neo4j": []}), "seq must be a non-negative integer"),
    (encoded({"v": 1, "seq": 1, "neo4j": NEO4J}), "neo4j must be a list of bookmark strings"),
    (encoded({"v": 1, "seq": 1, "neo4j": [""]}), "neo4j must be a list of bookmark strings"),
    (encoded({"v": 1, "seq": 1, "neo4j": [7]}), "neo4j must be a list of bookmark strings"),
])
def test_a_malformed_token_is_refused_with_its_reason(token: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        Bookmark.decode(token)


def test_writes_in_a_scope_give_the_newest_seq_and_the_newest_neo4j_bookmarks() -> None:
    causal = Causal(after=Bookmark(9, frozenset({"older"})))
    assert causal.written is None
    causal.wrote(5, ["first"])  # a write that logged no change answers the feed's end, never less than `after`
    assert causal.written == Bookmark(9, frozenset({"first"}))
    causal.wrote(12, ["second"])
    causal.wrote(11)  # SQLite: no Neo4j bookmarks; the newest ones stay
    assert causal.written == Bookmark(12, frozenset({"second"}))


def test_the_scope_is_per_context_and_ends_with_the_block() -> None:
    assert current() is None and read_after() is None
    with following(Bookmark(3)) as causal:
        assert current() is causal and read_after() == Bookmark(3)
        with following() as inner:
            assert current() is inner and read_after() is None
        assert current() is causal
    assert current() is None
