"""Job moves from histories, snapshots and single updates: the tricky cases, on both stores."""

from __future__ import annotations

from pathlib import Path

from graph_service import records
from graph_service.importing.snapshot import apply_snapshot
from graph_service.model import JobMove
from graph_service.store.base import Store
from tests.factories import company, job, people


def setup(store: Store) -> None:
    store.write(lambda tx: tx.upsert("person", people("ann", "ben", "cat", "dan")))
    store.write(lambda tx: tx.upsert("company", [company("acme"), company("globex"), company("initech")]))


def moves_of(store: Store, person: str) -> list[JobMove]:
    found = store.read(lambda tx: tx.list("move", after=None, limit=100, filters={"person_id": person}))
    return sorted(found, key=lambda m: (m.on, m.id))  # type: ignore[attr-defined]


def hops(store: Store, person: str) -> list[tuple[str, str, str, str]]:
    return [(m.type, m.from_company_id, m.to_company_id, str(m.on)) for m in moves_of(store, person)]


def save_jobs(store: Store, *jobs: object) -> None:
    records.save(store=store, entity="employment", records=list(jobs))  # type: ignore[arg-type]


def test_history_with_a_move_a_promotion_and_a_boomerang(store: Store) -> None:
    setup(store)
    save_jobs(store,
              job("ann", "acme", "2010-01-01", "2014-12-31", title="Engineer"),
              job("ann", "acme", "2015-01-01", "2016-06-30", title="Engineering Manager"),
              job("ann", "globex", "2016-07-01", "2019-12-31", title="VP Engineering"),
              job("ann", "acme", "2020-01-01", None, title="CTO"))
    assert hops(store, "ann") == [
        ("role_change", "acme", "acme", "2015-01-01"),
        ("move", "acme", "globex", "2016-07-01"),
        ("move", "globex", "acme", "2020-01-01"),
    ]
    boomerang = moves_of(store, "ann")[-1]
    assert (boomerang.from_title, boomerang.to_title, boomerang.to_layer) == ("VP Engineering", "CTO", "decision_maker")


def test_board_seat_beside_a_job_is_not_a_move(store: Store) -> None:
    setup(store)
    save_jobs(store,
              job("ben", "acme", "2012-01-01", None, title="Chief Executive Officer"),
              job("ben", "initech", "2018-03-01", None, title="Member of the Board"))
    assert hops(store, "ben") == []
    save_jobs(store, job("ben", "acme", "2012-01-01", "2021-01-31", title="Chief Executive Officer"),
              job("ben", "globex", "2021-02-01", None, title="President"))
    assert hops(store, "ben") == [("move", "acme", "globex", "2021-02-01")]


def test_precision_and_missing_end_date(store: Store) -> None:
    setup(store)
    save_jobs(store,
              job("cat", "acme", "2015-01-01", None, title="Buyer", precision="year"),
              job("cat", "globex", "2019-03-01", None, title="Head of Procurement", precision="month"))
    (move,) = moves_of(store, "cat")
    assert (move.from_company_id, move.to_company_id, move.precision) == ("acme", "globex", "month")
    assert move.to_layer == "executor"


def test_deriving_again_keeps_moves_and_when_they_were_learned(store: Store) -> None:
    setup(store)
    save_jobs(store, job("dan", "acme", "2010-01-01", "2012-01-01"), job("dan", "globex", "2012-02-01"))
    (first,) = moves_of(store, "dan")
    seq = store.read(lambda tx: tx.last_change())
    save_jobs(store, job("dan", "acme", "2010-01-01", "2012-01-01"), job("dan", "globex", "2012-02-01"))
    assert moves_of(store, "dan") == [first]
    assert store.read(lambda tx: tx.last_change()) == seq


def snapshot(store: Store, tmp_path: Path, as_of: str, rows: str):  # noqa: ANN201
    path = tmp_path / f"snap-{as_of}.csv"
    path.write_text("person_id,company_id,title\n" + rows, encoding="utf-8")
    from datetime import date

    return apply_snapshot(store=store, path=path, as_of=date.fromisoformat(as_of))


def test_snapshots_open_close_and_move(store: Store, tmp_path: Path) -> None:
    setup(store)
    first = snapshot(store, tmp_path, "2024-01-01", "ann,acme,CEO\nben,acme,Buyer\ncat,globex,CFO\n")
    assert (first.opened, first.closed, first.moves) == (3, 0, 0)
    again = snapshot(store, tmp_path, "2024-01-01", "ann,acme,CEO\nben,acme,Buyer\ncat,globex,CFO\n")
    assert (again.opened, again.closed, again.moves, again.role_changes) == (0, 0, 0, 0)

    later = snapshot(store, tmp_path, "2024-06-01", "ann,globex,President\nben,acme,Head of Purchasing\n")
    assert (later.moves, later.role_changes) == (1, 1)
    assert hops(store, "ann") == [("move", "acme", "globex", "2024-06-01")]
    assert hops(store, "ben") == [("role_change", "acme", "acme", "2024-06-01")]
    cat_jobs = store.read(lambda tx: tx.employments_of(["cat"]))
    assert [str(j.end) for j in cat_jobs] == ["2024-06-01"]  # a snapshot lists everyone at the companies it names

    seq = store.read(lambda tx: tx.last_change())
    late = snapshot(store, tmp_path, "2024-03-01", "ann,acme,CEO\nben,acme,Buyer\n")
    assert sorted(late.stale_persons) == ["ann", "ben"]
    assert store.read(lambda tx: tx.last_change()) == seq
    assert hops(store, "ann") == [("move", "acme", "globex", "2024-06-01")]


def test_snapshot_closes_who_left(store: Store, tmp_path: Path) -> None:
    setup(store)
    snapshot(store, tmp_path, "2024-01-01", "ann,acme,CEO\nben,acme,Buyer\n")
    summary = snapshot(store, tmp_path, "2024-02-01", "ann,acme,CEO\n")
    assert summary.closed == 1
    (ben,) = store.read(lambda tx: tx.employments_of(["ben"]))
    assert str(ben.end) == "2024-02-01"
    # he turns up at globex later: that is a move from acme
    snapshot(store, tmp_path, "2024-05-01", "ben,globex,Procurement Manager\n")
    assert hops(store, "ben") == [("move", "acme", "globex", "2024-05-01")]
