"""Read-your-writes across processes: bookmark tokens and the causal scope of one request.

A bookmark names a point in the store's history a client has seen: the change-feed
sequence number of its last write and, on Neo4j, the driver's bookmarks of that write's
transaction (``neo4j.Bookmarks.raw_values``). The API hands one out with every write
and accepts it back on any later request, through any process:

- the store runs that request's transactions with those Neo4j bookmarks, so a cluster
  member (a secondary serving reads, too) answers only once it has applied the write;
- :func:`reach` brings this process's projection up to at least that sequence number.

The token is base64url (unpadded) of a small JSON object, ``{"v": 1, "seq": N,
"neo4j": [...]}``: opaque to clients but not secret; it grants nothing, so it is not
signed. On SQLite ``neo4j`` is empty.

The scope of one request is a context variable (:func:`following`): the stores read the
bookmark the client sent from it and record what their write transactions committed in
it, so service code passes nothing around. Outside a scope (CLI, background threads)
nothing changes.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from graph_service.errors import InvalidInput, Problem

if TYPE_CHECKING:
    from graph_service.store.base import Store

NAME = "Sgraph-Bookmark"
"""What clients call the token (the API's header): problems with a token name it."""
VERSION = 1
MAX_TOKEN_CHARS = 4096
"""A bookmark of one Neo4j database is about 100 characters; anything far longer is not a bookmark."""
TOKEN = re.compile(r"[A-Za-z0-9_-]+")
"""The base64url alphabet, unpadded."""


@dataclass(frozen=True)
class Bookmark:
    """A point in the store's history: change-feed ``seq`` and the Neo4j bookmarks of the write."""

    seq: int
    neo4j: frozenset[str] = field(default_factory=frozenset)

    def encode(self) -> str:
        """The token: unpadded base64url of ``{"v", "seq", "neo4j"}`` JSON."""
        body = json.dumps({"v": VERSION, "seq": self.seq, "neo4j": sorted(self.neo4j)}, separators=(",", ":"))
        return base64.urlsafe_b64encode(body.encode("utf-8")).rstrip(b"=").decode("ascii")

    @classmethod
    def decode(cls, token: str) -> "Bookmark":
        """The bookmark in a token; ValueError saying what is wrong with a malformed one."""
        if not token or len(token) > MAX_TOKEN_CHARS:
            raise ValueError(f"must be a bookmark token of 1 to {MAX_TOKEN_CHARS} characters")
        if not TOKEN.fullmatch(token):
            raise ValueError("not a bookmark token: base64url characters only (A-Z a-z 0-9 - _)")
        try:
            text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode("utf-8")
            doc = json.loads(text)
        except (binascii.Error, UnicodeDecodeError, ValueError) as err:
            raise ValueError("not a bookmark token (base64url JSON)") from err
        if not isinstance(doc, dict) or set(doc) != {"v", "seq", "neo4j"}:
            raise ValueError("not a bookmark token: expected the keys v, seq and neo4j")
        if doc["v"] != VERSION:
            raise ValueError(f"unknown bookmark token version {doc['v']!r}")
        seq, neo4j = doc["seq"], doc["neo4j"]
        if type(seq) is not int or seq < 0:
            raise ValueError("not a bookmark token: seq must be a non-negative integer")
        if not isinstance(neo4j, list) or not all(isinstance(value, str) and value for value in neo4j):
            raise ValueError("not a bookmark token: neo4j must be a list of bookmark strings")
        return cls(seq, frozenset(neo4j))


class MalformedBookmark(InvalidInput):
    """A token that is not a bookmark at all (as opposed to a bookmark of another store)."""

    def __init__(self, reason: str) -> None:
        super().__init__(Problem(NAME, reason), "malformed bookmark")


class Causal:
    """The causal scope of one request: the bookmark it must read after, and what it wrote."""

    def __init__(self, after: Bookmark | None = None) -> None:
        self.after = after
        self.written: Bookmark | None = None
        self._lock = threading.Lock()

    def wrote(self, seq: int, neo4j: Iterable[str] = ()) -> None:
        """Record a committed write transaction: the feed's last seq at its commit, its Neo4j bookmarks.

        The newest write's Neo4j bookmarks stand for the earlier ones: its session started
        from them (and from ``after``), so the database orders it after them.
        """
        with self._lock:
            seqs = [seq, *(b.seq for b in (self.after, self.written) if b is not None)]
            values = frozenset(neo4j) or (self.written.neo4j if self.written else frozenset())
            self.written = Bookmark(max(seqs), values)


_scope: ContextVar[Causal | None] = ContextVar("sgraph_causal_scope", default=None)


@contextmanager
def following(after: Bookmark | None = None) -> Iterator[Causal]:
    """Run the body as one causal scope (context variables reach threads started with the context)."""
    causal = Causal(after)
    token = _scope.set(causal)
    try:
        yield causal
    finally:
        _scope.reset(token)


def current() -> Causal | None:
    """The causal scope this code runs in, if any."""
    return _scope.get()


def read_after() -> Bookmark | None:
    """The bookmark that reads in this scope must follow, if any."""
    causal = _scope.get()
    return causal.after if causal is not None else None


class FollowsFeed(Protocol):
    """A per-process structure that applies the change feed (e.g. ``projection.Projection``)."""

    seq: int

    def refresh(self) -> int: ...


def reach(*, store: "Store", bookmark: Bookmark, follower: FollowsFeed | None = None) -> int:
    """Bring ``follower`` up to at least ``bookmark.seq``; returns the sequence number reached.

    Runs inside the scope of ``following(bookmark)``, so on Neo4j the feed is read with the
    bookmark's Neo4j bookmarks: any cluster member answering has applied the write, and one
    refresh reaches its sequence number (no polling). A sequence number this store's feed has
    not got means the token is not from this store: InvalidInput.
    """
    seq = -1
    if follower is not None:
        if follower.seq < bookmark.seq:
            follower.refresh()
        seq = follower.seq
    if seq < bookmark.seq:
        seq = store.read(lambda tx: tx.last_change())
    if seq < bookmark.seq:
        raise InvalidInput(Problem(NAME, f"names change {bookmark.seq}; this store's change feed ends at {seq}"))
    return seq
