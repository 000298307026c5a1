"""The path engine against hand-computed answers and against brute-force enumeration of simple paths."""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graph_service import paths as engine
from graph_service.paths import COST_SCALE, best_introducers, cost_of, warm_paths
from graph_service.projection import EdgeData
from graph_service.strength import PairEvidence


def graph(*edges: tuple[object, object, float] | tuple[object, object, float, date | None]) -> nx.Graph:
    G = nx.Graph()
    for u, v, s, *last in edges:
        G.add_edge(u, v, strength=s, cost=cost_of(s), last=last[0] if last else None)
    return G


def nodes_of(paths: list) -> list[tuple]:
    return [p.nodes for p in paths]


@contextmanager
def last_hops_from(side: str | None) -> Iterator[None]:
    """Force the side the diverse search takes its last two hops from (None: the cheaper one)."""
    engine._Search.side = side
    try:
        yield
    finally:
        engine._Search.side = None


# -- tiny graphs, answers by hand ------------------------------------------------------------


def test_cost_is_minus_log_strength_in_micro_nats() -> None:
    assert cost_of(1.0) == 0
    assert cost_of(0.5) == round(math.log(2) * COST_SCALE)
    with pytest.raises(ValueError):
        cost_of(0.0)


def test_the_strongest_chain_wins_and_scores_are_products() -> None:
    # s-x-t: 0.9 * 0.9 = 0.81; s-y-t: 0.5 * 0.99 = 0.495
    G = graph(("s", "x", 0.9), ("x", "t", 0.9), ("s", "y", 0.5), ("y", "t", 0.99))
    paths = warm_paths(G, ["s"], ["t"], hop_penalty=0.0)
    assert nodes_of(paths) == [("s", "x", "t"), ("s", "y", "t")]
    assert paths[0].strength == pytest.approx(0.81)
    assert paths[0].score == pytest.approx(0.81, rel=1e-5)
    assert paths[0].introducer == "x"
    assert [(h.source, h.target, h.strength) for h in paths[0].hops] == [("s", "x", 0.9), ("x", "t", 0.9)]


def test_the_hop_penalty_prefers_shorter_chains() -> None:
    # direct 0.5 vs two hops of 0.8 (0.64): the penalty of 0.3 nats per hop flips the order
    G = graph(("s", "t", 0.5), ("s", "x", 0.8), ("x", "t", 0.8))
    assert nodes_of(warm_paths(G, ["s"], ["t"], hop_penalty=0.0))[0] == ("s", "x", "t")
    assert nodes_of(warm_paths(G, ["s"], ["t"], hop_penalty=0.3))[0] == ("s", "t")


def test_max_hops_and_avoid_and_min_strength() -> None:
    G = graph(("s", "a", 0.9), ("a", "b", 0.9), ("b", "t", 0.9), ("s", "c", 0.2), ("c", "t", 0.2))
    assert nodes_of(warm_paths(G, ["s"], ["t"], hop_penalty=0)) == [("s", "a", "b", "t"), ("s", "c", "t")]
    assert nodes_of(warm_paths(G, ["s"], ["t"], max_hops=2)) == [("s", "c", "t")]
    assert nodes_of(warm_paths(G, ["s"], ["t"], avoid={"b"})) == [("s", "c", "t")]
    assert nodes_of(warm_paths(G, ["s"], ["t"], min_strength=0.5)) == [("s", "a", "b", "t")]
    assert warm_paths(G, ["s"], ["t"], min_strength=0.5, max_hops=2) == []


def test_evidence_newer_than_a_day() -> None:
    old, new = date(2001, 1, 1), date(2024, 1, 1)
    G = graph(("s", "a", 0.9, new), ("a", "t", 0.9, old), ("s", "b", 0.3, new), ("b", "t", 0.3, new))
    assert nodes_of(warm_paths(G, ["s"], ["t"], newer_than=date(2020, 1, 1))) == [("s", "b", "t")]


def test_diversity_gives_each_first_introducer_one_path() -> None:
    G = graph(("s", "x", 0.9), ("x", "t", 0.9), ("x", "y", 0.9), ("y", "t", 0.9), ("s", "z", 0.3), ("z", "t", 0.3))
    assert nodes_of(warm_paths(G, ["s"], ["t"], hop_penalty=0)) == [("s", "x", "t"), ("s", "z", "t")]
    assert nodes_of(warm_paths(G, ["s"], ["t"], hop_penalty=0, diverse=False)) == [
        ("s", "x", "t"), ("s", "x", "y", "t"), ("s", "z", "t"),
    ]


@pytest.mark.parametrize("side", [None, "targets", "sources"])
def test_a_long_cheap_path_beats_the_bound_set_by_a_short_dear_one(side: str | None) -> None:
    # s-a-t sets the bound: 2 * (0.7 + 2.303) = 6.005 nats; s-x-y-z-t costs 4 * 0.7 + 2 * 1.386 = 5.57.
    # y's label, 1.4 + 2.77 = 4.17, leaves room under the bound for two more hops of 0.7, not three:
    # a cut that charged y's path one hop too many would lose the best path
    G = graph(("s", "a", 0.1), ("a", "t", 0.1), ("s", "x", 1.0), ("x", "y", 1.0), ("y", "z", 0.25), ("z", "t", 0.25))
    with last_hops_from(side):
        assert nodes_of(warm_paths(G, ["s"], ["t"], k=1, hop_penalty=0.7)) == [("s", "x", "y", "z", "t")]
        assert nodes_of(warm_paths(G, ["s"], ["t"], k=2, hop_penalty=0.7)) == [
            ("s", "x", "y", "z", "t"), ("s", "a", "t"),
        ]


def test_paths_never_pass_through_another_source_or_target() -> None:
    # a -> b -> t is the shorter chain of b; a -> u1 -> u2 would reach u2 through target u1
    G = graph(("a", "b", 0.9), ("b", "t", 0.9), ("a", "u1", 0.9), ("u1", "u2", 0.9))
    assert nodes_of(warm_paths(G, ["a", "b"], ["t"])) == [("b", "t")]
    assert nodes_of(warm_paths(G, ["a"], ["u1", "u2"])) == [("a", "u1")]


def test_equal_costs_are_broken_by_hops_then_node_ids() -> None:
    G = graph(("s", "b", 0.5), ("b", "t", 0.5), ("s", "a", 0.5), ("a", "t", 0.5), ("s", "t", 0.25))
    assert nodes_of(warm_paths(G, ["s"], ["t"], hop_penalty=0, k=3)) == [("s", "t"), ("s", "a", "t"), ("s", "b", "t")]


def test_unknown_nodes_and_impossible_options() -> None:
    G = graph(("s", "t", 0.5))
    with pytest.raises(nx.NodeNotFound):
        warm_paths(G, ["s"], ["nobody"])
    with pytest.raises(ValueError):
        warm_paths(G, ["s"], ["t"], k=0)
    with pytest.raises(ValueError):
        warm_paths(G, ["s"], ["t"], max_hops=0)
    assert warm_paths(G, ["s"], ["s"]) == []


def test_best_introducers_rank_by_targets_reached_then_best_path() -> None:
    G = graph(("me", "x", 0.9), ("x", "ceo", 0.9), ("me", "y", 0.5), ("y", "ceo", 0.5), ("y", "cfo", 0.5),
              ("you", "y", 0.8))
    view = best_introducers(G, ["me", "you"], ["ceo", "cfo"], hop_penalty=0)
    assert [(i.id, i.targets, i.path.nodes) for i in view.introducers] == [
        ("y", 2, ("you", "y", "ceo")), ("x", 1, ("me", "x", "ceo")),
    ]
    assert [(m.id, m.targets, m.introducers, m.path.nodes) for m in view.members] == [
        ("me", 2, 2, ("me", "x", "ceo")), ("you", 2, 1, ("you", "y", "ceo")),
    ]


# -- random graphs against brute force ---------------------------------------------------------

DAYS = [None, date(2019, 1, 1), date(2021, 1, 1), date(2023, 1, 1)]
STRENGTHS = [0.1, 0.25, 0.5, 0.5, 0.9, 1.0]  # repeats make equal costs, to test the tie-breaks


@st.composite
def problems(draw: st.DrawFn) -> dict:
    n = draw(st.integers(2, 9))
    pairs = [(u, v) for u in range(n) for v in range(u + 1, n)]
    edges = draw(st.lists(st.sampled_from(pairs), unique=True, max_size=len(pairs))) if pairs else []
    G = nx.Graph()
    G.add_nodes_from(range(n))
    for u, v in edges:
        s = draw(st.sampled_from(STRENGTHS) | st.floats(0.01, 1.0))
        G.add_edge(u, v, strength=s, cost=cost_of(s), last=draw(st.sampled_from(DAYS)))
    nodes = st.sets(st.integers(0, n - 1), min_size=1, max_size=3)
    return {
        "G": G,
        "sources": sorted(draw(nodes)),
        "targets": sorted(draw(nodes)),
        "k": draw(st.integers(1, 5)),
        "max_hops": draw(st.integers(1, 6)),
        "min_strength": draw(st.sampled_from([0.0, 0.0, 0.3, 0.5])),
        "avoid": draw(st.sets(st.integers(0, n - 1), max_size=2)),
        "newer_than": draw(st.sampled_from([None, None, date(2020, 6, 1)])),
        "hop_penalty": draw(st.sampled_from([0.0, 0.1, 0.7])),
        "diverse": draw(st.booleans()),
    }


def all_paths(G: nx.Graph, sources: list, targets: list, *, max_hops: int, min_strength: float, avoid: set,
              newer_than: date | None, hop_penalty: float, **_: object) -> list[tuple[int, int, tuple]]:
    """Every valid simple path as ``(cost, hops, nodes)``, sorted: plain depth-first enumeration."""
    S, T = set(sources), set(targets) - set(sources)
    blocked = S | T | set(avoid)
    penalty = round(hop_penalty * COST_SCALE)
    found = []

    def walk(path: list, cost: int) -> None:
        v = path[-1]
        if len(path) > 1 and v in T:
            found.append((cost, len(path) - 1, tuple(path)))
            return
        if len(path) - 1 == max_hops:
            return
        for u, d in G[v].items():
            if u in path or (u in blocked and u not in T) or d["strength"] < min_strength:
                continue
            if newer_than is not None and (d["last"] is None or d["last"] < newer_than):
                continue
            walk([*path, u], cost + d["cost"] + penalty)

    for s in S:
        walk([s], 0)
    return sorted(found)


def greedy(paths: list[tuple[int, int, tuple]], k: int, diverse: bool) -> list[tuple[int, int, tuple]]:
    chosen, used = [], set()
    for path in paths:
        nodes = path[2]
        if diverse and len(nodes) > 2 and nodes[1] in used:
            continue
        chosen.append(path)
        if len(nodes) > 2:
            used.add(nodes[1])
        if len(chosen) == k:
            break
    return chosen


def run(problem: dict, side: str | None = None) -> list:
    with last_hops_from(side):
        return warm_paths(problem["G"], problem["sources"], problem["targets"],
                          **{key: problem[key] for key in ("k", "max_hops", "min_strength", "avoid", "newer_than",
                                                           "hop_penalty", "diverse")})


@settings(max_examples=600, deadline=None)
@given(problems(), st.sampled_from([None, "targets", "sources"]))
def test_the_k_paths_are_the_k_best_under_the_diversity_rule(problem: dict, side: str | None) -> None:
    expected = greedy(all_paths(**problem), problem["k"], problem["diverse"])
    assert [(p.cost, len(p.hops), p.nodes) for p in run(problem, side)] == expected


def projected(G: nx.Graph) -> nx.Graph:
    """G with its edges as the projection holds them: EdgeData, walked with its own cost reader."""
    P = nx.Graph(edge_type=EdgeData)
    P.add_nodes_from(G)
    for u, v, d in G.edges(data=True):
        P.add_edge(u, v)
        P._adj[u][v] = P._adj[v][u] = EdgeData.of(PairEvidence(), d["cost"], d["last"])
    return P


@settings(max_examples=300, deadline=None)
@given(problems())
def test_the_projections_edges_give_the_same_paths(problem: dict) -> None:
    expected = [(p.cost, p.nodes) for p in run(problem)]
    assert [(p.cost, p.nodes) for p in run({**problem, "G": projected(problem["G"])})] == expected


@st.composite
def crowds(draw: st.DrawFn) -> dict:
    """Up to 11 persons, most of them targets (a big company), few sources, diverse: the bound cuts often.

    Few distinct strengths, 1.0 among them (a hop costing just the penalty): many paths cost exactly
    the bound, where an off-by-one in a cut would show.
    """
    n = draw(st.integers(3, 11))
    pairs = [(u, v) for u in range(n) for v in range(u + 1, n)]
    edges = draw(st.lists(st.sampled_from(pairs), unique=True, max_size=min(len(pairs), 24)))
    G = nx.Graph()
    G.add_nodes_from(range(n))
    for u, v in edges:
        s = draw(st.sampled_from([1.0, 1.0, 0.5, 0.5, 0.25]))
        G.add_edge(u, v, strength=s, cost=cost_of(s), last=draw(st.sampled_from(DAYS)))
    sources = draw(st.sets(st.integers(0, n - 1), min_size=1, max_size=2))
    return {
        "G": G,
        "sources": sorted(sources),
        "targets": sorted(draw(st.sets(st.integers(0, n - 1), min_size=1, max_size=n))),
        "k": draw(st.integers(1, 4)),
        "max_hops": draw(st.integers(2, 6)),
        "min_strength": draw(st.sampled_from([0.0, 0.0, 0.3])),
        "avoid": draw(st.sets(st.integers(0, n - 1), max_size=2)),
        "newer_than": draw(st.sampled_from([None, None, date(2020, 6, 1)])),
        "hop_penalty": draw(st.sampled_from([0.0, 0.1, 0.7])),
        "diverse": True,
    }


@settings(max_examples=1500, deadline=None)
@given(crowds(), st.sampled_from([None, "targets", "sources"]))
def test_many_targets_either_side_gives_the_k_best(problem: dict, side: str | None) -> None:
    expected = greedy(all_paths(**problem), problem["k"], True)
    assert [(p.cost, len(p.hops), p.nodes) for p in run(problem, side)] == expected


@st.composite
def larger(draw: st.DrawFn) -> dict:
    """Sparse graphs of 20-60 persons, too many paths for brute force: checked against the plain enumeration."""
    n = draw(st.integers(20, 60))
    seed = draw(st.integers(0, 2**32 - 1))
    G = nx.gnm_random_graph(n, draw(st.integers(n, 3 * n)), seed=seed)
    strengths = draw(st.lists(st.sampled_from(STRENGTHS) | st.floats(0.01, 1.0), min_size=G.number_of_edges(),
                              max_size=G.number_of_edges()))
    for (u, v), s in zip(sorted(G.edges), strengths):
        G.edges[u, v].update(strength=s, cost=cost_of(s), last=None)
    nodes = st.integers(0, n - 1)
    return {
        "G": G,
        "sources": sorted(draw(st.sets(nodes, min_size=1, max_size=4))),
        "targets": sorted(draw(st.sets(nodes, min_size=1, max_size=n // 2))),
        "k": draw(st.integers(1, 5)),
        "max_hops": draw(st.integers(2, 5)),
        "min_strength": draw(st.sampled_from([0.0, 0.2])),
        "avoid": draw(st.sets(nodes, max_size=3)),
        "newer_than": None,
        "hop_penalty": draw(st.sampled_from([0.0, 0.1])),
        "diverse": True,
    }


@settings(max_examples=150, deadline=None)
@given(larger(), st.sampled_from([None, "targets", "sources"]))
def test_the_bounded_search_agrees_with_the_plain_enumeration(problem: dict, side: str | None) -> None:
    every = warm_paths(problem["G"], problem["sources"], problem["targets"], k=10**9, diverse=False,
                       **{key: problem[key] for key in ("max_hops", "min_strength", "avoid", "newer_than",
                                                        "hop_penalty")})
    expected = greedy([(p.cost, len(p.hops), p.nodes) for p in every], problem["k"], True)
    assert [(p.cost, len(p.hops), p.nodes) for p in run(problem, side)] == expected


@settings(max_examples=300, deadline=None)
@given(problems())
def test_the_first_path_is_optimal(problem: dict) -> None:
    paths = all_paths(**problem)
    found = run(problem)
    assert bool(found) == bool(paths)
    if paths:
        assert found[0].cost == min(cost for cost, _, _ in paths)


@settings(max_examples=300, deadline=None)
@given(problems())
def test_every_path_is_simple_and_respects_every_option(problem: dict) -> None:
    G = problem["G"]
    sources, targets = set(problem["sources"]), set(problem["targets"]) - set(problem["sources"])
    introducers = []
    for path in run(problem):
        nodes = path.nodes
        assert len(set(nodes)) == len(nodes)
        assert 1 <= len(nodes) - 1 <= problem["max_hops"]
        assert nodes[0] in sources and nodes[-1] in targets
        assert not set(nodes[1:-1]) & (sources | targets | problem["avoid"])
        for u, v in zip(nodes, nodes[1:]):
            d = G[u][v]
            assert d["strength"] >= problem["min_strength"]
            if problem["newer_than"]:
                assert d["last"] is not None and d["last"] >= problem["newer_than"]
        assert path.cost == sum(G[u][v]["cost"] for u, v in zip(nodes, nodes[1:])) + (len(nodes) - 1) * round(
            problem["hop_penalty"] * COST_SCALE)
        if path.introducer is not None:
            introducers.append(path.introducer)
    if problem["diverse"]:
        assert len(introducers) == len(set(introducers))


@settings(max_examples=300, deadline=None)
@given(problems())
def test_best_introducers_agree_with_brute_force(problem: dict) -> None:
    options = {key: problem[key] for key in ("max_hops", "min_strength", "avoid", "newer_than", "hop_penalty")}
    view = best_introducers(problem["G"], problem["sources"], problem["targets"], **options)
    paths = all_paths(**problem)
    via: dict = {}
    for path in paths:
        if len(path[2]) > 2:
            via.setdefault(path[2][1], []).append(path)
    assert {i.id: ((i.path.cost, len(i.path.hops), i.path.nodes), i.targets) for i in view.introducers} == {
        x: (ps[0], len({p[2][-1] for p in ps})) for x, ps in via.items()
    }
    by_source: dict = {}
    for path in paths:
        by_source.setdefault(path[2][0], []).append(path)
    assert {m.id: ((m.path.cost, len(m.path.hops), m.path.nodes), m.targets, m.introducers) for m in view.members} == {
        s: (ps[0], len({p[2][-1] for p in ps}), len({p[2][1] for p in ps if len(p[2]) > 2})) for s, ps in by_source.items()
    }
    ranks = [(-i.targets, i.path.cost, len(i.path.hops), i.path.nodes) for i in view.introducers]
    assert ranks == sorted(ranks)
