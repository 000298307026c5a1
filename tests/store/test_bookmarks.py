"""Bookmarks on both stores: a write in a causal scope records where it left the feed (and, on
Neo4j, the transaction's bookmarks); reads in a scope follow the client's bookmark."""

from __future__ import annotations

import pytest

from graph_service import bookmarks
from graph_service.bookmarks import Bookmark, following, reach
from graph_service.errors import InvalidInput
from graph_service.projection import Projection
from graph_service.store.base import Store
from tests.factories import people


def test_a_write_in_a_scope_records_its_seq_and_neo4j_bookmarks(store: Store) -> None:
    store.write(lambda tx: tx.upsert("person", people("alice")))  # outside a scope: nothing recorded
    with following() as causal:
        store.write(lambda tx: tx.upsert("person", people("bob", "carol")))
        first = causal.written
        store.write(lambda tx: tx.upsert("person", people("bob")))  # unchanged: no change logged
    last = store.read(lambda tx: tx.last_change())
    assert first is not None and first.seq == last == 2
    assert causal.written is not None and causal.written.seq == last
    if store.url.startswith("sqlite"):
        assert first.neo4j == frozenset()
    else:
        assert len(first.neo4j) == 1 and len(causal.written.neo4j) == 1


def test_a_read_with_a_fresh_bookmark_sees_the_write(store: Store) -> None:
    with following() as causal:
        store.write(lambda tx: tx.upsert("person", people("alice")))
    assert causal.written is not None
    token = causal.written.encode()
    with following(Bookmark.decode(token)):
        assert set(store.read(lambda tx: tx.get_many("person", ["alice"]))) == {"alice"}
        assert reach(store=store, bookmark=Bookmark.decode(token)) == causal.written.seq


def test_neo4j_reads_and_writes_start_from_the_clients_bookmarks(store: Store) -> None:
    """The database itself checks the bookmarks it is given: one it never issued is refused."""
    foreign = Bookmark(0, frozenset({"FB:not-a-bookmark-of-this-database"}))
    with following(foreign):
        if store.url.startswith("sqlite"):  # SQLite has one history; nothing to wait for
            assert store.read(lambda tx: tx.last_change()) == 0
            return
        with pytest.raises(InvalidInput, match="not a bookmark of this database"):
            store.read(lambda tx: tx.last_change())
        with pytest.raises(InvalidInput, match="not a bookmark of this database"):
            store.write(lambda tx: tx.upsert("person", people("alice")))
    assert store.read(lambda tx: tx.count("person")) == 0


def test_reach_brings_a_projection_up_to_the_bookmark(store: Store) -> None:
    projection = Projection(store)
    with following() as causal:
        store.write(lambda tx: tx.upsert("person", people("alice", "bob")))
    assert causal.written is not None and projection.seq < causal.written.seq
    with following(causal.written):
        assert reach(store=store, bookmark=causal.written, follower=projection) == causal.written.seq
    assert projection.seq == causal.written.seq and set(projection.graph) == {"alice", "bob"}


def test_a_bookmark_past_the_end_of_the_feed_is_not_from_this_store(store: Store) -> None:
    store.write(lambda tx: tx.upsert("person", people("alice")))
    with pytest.raises(InvalidInput, match="names change 7; this store's change feed ends at 1"):
        reach(store=store, bookmark=Bookmark(7), follower=Projection(store))
    assert bookmarks.current() is None
