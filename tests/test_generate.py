"""The synthetic generator: deterministic, heavy-tailed, consistent, and in the import format."""

from __future__ import annotations

import itertools
import statistics
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

import networkx as nx
import pytest

from graph_service.generate import AS_OF, KINDS, Synthetic, generate, main, tie_rows, write_files
from graph_service.importing.rows import parse
from graph_service.model import ENTITY_MODELS, Record


@pytest.fixture(scope="module")
def world() -> Synthetic:
    return Synthetic(3000, seed=7)


@pytest.fixture(scope="module")
def records(world: Synthetic) -> dict[str, list[Record]]:
    return {kind: list(world.records(kind)) for kind in KINDS}


def test_same_seed_same_output_other_seed_other_output() -> None:
    def dump(seed: int) -> dict[str, list[str]]:
        return {kind: [r.model_dump_json() for r in stream] for kind, stream in generate(400, seed=seed).items()}

    first = dump(3)
    assert first == dump(3)
    assert all(first[kind] != rows for kind, rows in dump(4).items())


def test_every_kind_is_produced_at_the_requested_scale(records: dict[str, list[Record]], world: Synthetic) -> None:
    counts = {kind: len(rows) for kind, rows in records.items()}
    assert list(counts) == list(KINDS)
    assert counts["person"] == 3000
    assert counts["company"] == world.companies == 150
    assert 0.85 * 3000 * 10 < counts["tie"] < 1.05 * 3000 * 10 + 20 * 250
    assert counts["employment"] > 3000
    assert counts["interaction"] > 3000 * 3 * 0.9
    assert counts["referral"] > 0


def test_company_sizes_are_heavy_tailed() -> None:
    world = Synthetic(50_000, companies=2_500, seed=1)
    sizes = sorted((world.company_size(c) for c in range(1, world.companies)), reverse=True)
    assert sum(sizes) == 50_000 - world.team_size
    top_fifth = sum(sizes[: len(sizes) // 5]) / sum(sizes)
    assert top_fifth > 0.6, top_fifth  # about 80/20 at large scale
    assert sizes[0] > 50 * statistics.median(sizes)


def test_every_referenced_id_exists(records: dict[str, list[Record]]) -> None:
    persons = {p.id for p in records["person"]}
    companies = {c.id for c in records["company"]}
    assert all(e.person_id in persons and e.company_id in companies for e in records["employment"])
    assert all(t.a in persons and t.b in persons for t in records["tie"])
    assert all(set(i.persons()) <= persons for i in records["interaction"])
    for r in records["referral"]:
        assert {r.referrer_id, r.referred_id} <= persons and (r.to_id is None or r.to_id in persons)
    for kind in KINDS:
        ids = [r.id for r in records[kind]]
        assert len(ids) == len(set(ids)), f"duplicate {kind} ids"


def test_employment_dates_are_consistent_and_moves_exist(world: Synthetic, records: dict[str, list[Record]]) -> None:
    moves = boards = ended = 0
    for person in range(world.people):
        jobs = world.career(person)
        main_jobs = [j for j in jobs if not j.board]
        for job in jobs:
            assert job.end is None or job.start <= job.end
            assert date(1985, 1, 1).toordinal() <= job.start < AS_OF.toordinal()
        for earlier, later in itertools.pairwise(main_jobs):
            assert earlier.end is not None and earlier.end <= later.start, (person, jobs)
            assert earlier.company != later.company or world.companies == 2
            moves += 1
        assert all(j.end is not None for j in main_jobs[:-1])
        ended += main_jobs[-1].end is not None
        boards += len(jobs) - len(main_jobs)
        assert main_jobs[-1].company == world.current_company(person)
    assert moves > 0.5 * world.people
    assert boards > 0 and 0 < ended < 0.1 * world.people
    # the records say the same as the careers
    by_person = Counter(e.person_id for e in records["employment"])
    assert all(by_person[world.person_id(p)] == len(world.career(p)) for p in range(0, world.people, 37))
    precisions = defaultdict(set)
    for e in records["employment"]:
        precisions[e.person_id].add(e.precision)
    assert all(len(p) == 1 for p in precisions.values())
    layers = Counter(e.decision_layer for e in records["employment"])
    assert layers[None] > 0 and all(layers[layer] > 0 for layer in ("user_influencer", "executor", "decision_maker"))
    assert any(any("\u4e00" <= ch <= "\u9fff" for ch in e.title) for e in records["employment"])


def test_team_is_internal_and_well_connected(world: Synthetic, records: dict[str, list[Record]]) -> None:
    team = {p.id for p in records["person"] if p.internal}
    assert team == set(world.team_ids) == {f"p{i:07d}" for i in range(1, 21)}
    degree: Counter[str] = Counter()
    for t in records["tie"]:
        degree[t.a] += 1
        degree[t.b] += 1
    average = sum(degree.values()) / len(records["person"])
    assert min(degree[member] for member in team) > 5 * average
    assert all(e.company_id == "c00001" for e in records["employment"] if e.person_id in team and e.end is None)


def test_ties_are_unique_mostly_colleagues_and_a_small_world(records: dict[str, list[Record]]) -> None:
    ties = records["tie"]
    assert len({(t.a, t.b) for t in ties}) == len(ties)
    assert all(0 < t.strength <= 1 for t in ties)
    contacts = [t for t in ties if t.owner is None]  # not the team's own book
    kinds = Counter(t.kind for t in contacts)
    assert kinds["colleague"] > 0.5 * len(contacts)
    assert sum(kinds[k] for k in ("friend", "association", "event")) > 0.05 * len(contacts)
    graph = nx.Graph((t.a, t.b) for t in contacts)
    n, m = graph.number_of_nodes(), graph.number_of_edges()
    giant = graph.subgraph(max(nx.connected_components(graph), key=len))
    assert len(giant) > 0.95 * n
    assert nx.average_clustering(graph) > 10 * (2 * m / (n * (n - 1)))  # clustered like colleagues, not random
    hops = [d for source in list(giant)[:20] for d in nx.single_source_shortest_path_length(giant, source).values()]
    assert statistics.mean(hops) < 6  # yet few hops apart


def test_interactions_and_referrals_are_dated_within_the_world(records: dict[str, list[Record]]) -> None:
    start, end = date(2018, 1, 1), AS_OF
    assert all(start <= i.at.date() < end for i in records["interaction"])
    assert len({i.type for i in records["interaction"]}) >= 8
    assert all(start <= r.on < end for r in records["referral"])
    assert any(r.to_id is None for r in records["referral"])


def test_raw_tie_rows_match_the_records(records: dict[str, list[Record]]) -> None:
    raw = list(tie_rows(3000, seed=7))
    assert raw == [(t.a, t.b, t.strength) for t in records["tie"]]


def test_streams_are_lazy_at_large_scale() -> None:
    streams = generate(2_000_000, companies=1_000, seed=2)
    first = next(streams["person"])
    assert first.id == "p0000001" and first.internal
    assert next(streams["tie"]).a == "p0000001"


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_files_round_trip_through_the_importer(tmp_path: Path, fmt: str) -> None:
    world = Synthetic(300, seed=11)
    written = write_files(tmp_path, world, format=fmt)
    assert [path.name for path, _ in written.values()] == [
        f"{stem}.{fmt}" for stem in ("persons", "companies", "employments", "ties", "interactions", "referrals")
    ]
    for kind, (path, count) in written.items():
        parsed = [item for _, item in parse(ENTITY_MODELS[kind], path, fmt)]
        assert all(not isinstance(item, list) for item in parsed), parsed[:3]
        assert parsed == list(world.records(kind))
        assert len(parsed) == count
    header = (tmp_path / f"ties.{fmt}").read_text(encoding="utf-8").splitlines()[0]
    if fmt == "csv":
        assert header == "id,a,b,strength,kind,source,since,notes,owner,visibility"


def test_command_line_writes_the_requested_kinds(tmp_path: Path) -> None:
    assert main(["--people", "200", "--out", str(tmp_path), "--format", "jsonl", "--kinds", "person,company"]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["companies.jsonl", "persons.jsonl"]
    assert len((tmp_path / "persons.jsonl").read_text(encoding="utf-8").splitlines()) == 200


def test_bad_parameters_are_refused() -> None:
    with pytest.raises(ValueError, match="companies"):
        Synthetic(100, companies=1)
    with pytest.raises(ValueError, match="kind"):
        Synthetic(100).rows("move")


def test_each_pair_is_emitted_by_the_side_the_pair_hash_picks() -> None:
    world = Synthetic(1500, seed=9)
    for person in range(world.team_size, world.people):
        for other, *_ in world.ties_of(person):
            assert other < world.team_size or world._owns(person, other)
