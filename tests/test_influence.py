"""Influence agrees with networkx on Zachary's karate club and Padgett's Florentine families."""

from __future__ import annotations

import math

import networkx as nx
import pytest

from graph_service.influence import (
    IndustryFigure,
    adjacency,
    brokers,
    industry_figures,
    influence_toward,
    internal_influence,
    patched,
    subgraph_adjacency,
    weighted_pagerank,
)


def _close(ours: dict, reference: dict, tol: float = 1e-9) -> None:
    assert ours.keys() == reference.keys()
    for node, value in reference.items():
        assert ours[node] == pytest.approx(value, abs=tol), node


@pytest.fixture
def karate() -> nx.Graph:
    return nx.karate_club_graph()  # edges carry "weight": the number of shared contexts


@pytest.fixture
def florentine() -> nx.Graph:
    return nx.florentine_families_graph()  # the marriage network


def _directed() -> nx.DiGraph:
    G = nx.gnp_random_graph(40, 0.08, seed=3, directed=True)
    for i, (u, v) in enumerate(G.edges()):
        G.edges[u, v]["strength"] = 0.1 + (i % 9) / 10
    return G


def test_pagerank_weighted_matches_networkx(karate: nx.Graph) -> None:
    _close(weighted_pagerank(karate, "weight"), nx.pagerank(karate, weight="weight"))


def test_pagerank_unweighted_matches_networkx(karate: nx.Graph, florentine: nx.Graph) -> None:
    _close(weighted_pagerank(karate, None), nx.pagerank(karate, weight=None))
    _close(weighted_pagerank(florentine), nx.pagerank(florentine))  # no "strength": every tie weighs 1


def test_pagerank_directed_with_dangling_nodes_matches_networkx() -> None:
    G = _directed()
    assert any(G.out_degree(n) == 0 for n in G)
    _close(weighted_pagerank(G, "strength"), nx.pagerank(G, weight="strength"))


def test_pagerank_on_hand_computed_graphs() -> None:
    assert weighted_pagerank(nx.Graph()) == {}
    # centre 0 with three leaves: x0 = 0.15/4 + 0.85 * 3 * x_leaf, x_leaf = 0.15/4 + 0.85 * x0 / 3
    star = nx.star_graph(3)
    x0 = (0.15 / 4 + 0.85 * 0.15 / 4 * 3) / (1 - 0.85 * 0.85)
    ranks = weighted_pagerank(star, None, tol=1e-12, max_iter=500)
    assert ranks[0] == pytest.approx(x0, abs=1e-9)
    assert sum(ranks.values()) == pytest.approx(1.0)


def test_pagerank_follows_strong_ties() -> None:
    G = nx.Graph()
    G.add_edge("hub", "strong", strength=0.9)
    G.add_edge("hub", "weak", strength=0.1)
    ranks = weighted_pagerank(G)
    assert ranks["strong"] > ranks["weak"]


def test_influence_toward_is_personalised_pagerank(karate: nx.Graph) -> None:
    ours = influence_toward(karate, [0, 33], "weight")
    _close(ours, nx.pagerank(karate, weight="weight", personalization={0: 1, 33: 1}))
    weighted = influence_toward(karate, {0: 3.0, 33: 1.0, "absent": 5.0}, "weight")
    _close(weighted, nx.pagerank(karate, weight="weight", personalization={0: 3, 33: 1}))
    with pytest.raises(nx.NetworkXError):
        influence_toward(karate, ["absent"])


def test_influence_toward_ranks_the_neighbours_of_the_seeds_first(florentine: nx.Graph) -> None:
    scores = influence_toward(florentine, ["Strozzi"])
    others = sorted((n for n in scores if n != "Strozzi"), key=scores.get, reverse=True)
    assert set(others[:4]) == set(florentine["Strozzi"])


def test_medici_broker_the_florentine_marriages(florentine: nx.Graph) -> None:
    ours = brokers(florentine)
    _close(ours, nx.betweenness_centrality(florentine))
    top = max(ours, key=ours.get)
    assert top == "Medici"
    assert ours[top] == pytest.approx(0.5219, abs=1e-4)  # 47.5 of 91 pairs


def test_brokers_match_networkx(karate: nx.Graph) -> None:
    _close(brokers(karate), nx.betweenness_centrality(karate))
    _close(brokers(karate, normalized=False), nx.betweenness_centrality(karate, normalized=False))
    G = _directed()
    _close(brokers(G), nx.betweenness_centrality(G))


def test_sampled_brokers_match_networkx_for_the_same_seed(karate: nx.Graph, florentine: nx.Graph) -> None:
    for G in (karate, florentine):
        for k in (1, 5, 10):
            ours = brokers(G, k=k, seed=7)
            reference = nx.betweenness_centrality(G, k=k, seed=7)
            assert ours.keys() == reference.keys()
            for node, value in reference.items():
                assert (math.isnan(value) and math.isnan(ours[node])) or ours[node] == pytest.approx(value, abs=1e-9)
    _close(brokers(karate, k=34), nx.betweenness_centrality(karate))
    assert brokers(karate, k=10) == brokers(karate, k=10)  # the default seed is fixed
    with pytest.raises(ValueError):
        brokers(karate, k=0)


def test_brokers_by_cost_prefer_strong_chains() -> None:
    G = nx.Graph()
    for a, b, strength in [("us", "weak", 0.05), ("weak", "target", 0.05), ("us", "s1", 0.9), ("s1", "s2", 0.9),
                           ("s2", "target", 0.9)]:
        G.add_edge(a, b, strength=strength, cost=-math.log(strength))
    by_hops, by_cost = brokers(G), brokers(G, weight="cost")
    _close(by_cost, nx.betweenness_centrality(G, weight="cost"))
    assert by_hops["weak"] > 0 == by_cost["weak"]  # us-weak-target is the shortest in hops, the longest in cost
    assert by_cost["s1"] > by_hops["s1"]


def test_brokers_on_hand_computed_graphs() -> None:
    path = nx.path_graph(3)
    assert brokers(path) == {0: 0.0, 1: 1.0, 2: 0.0}
    two_parts = nx.Graph([(0, 1), (1, 2), (3, 4)])
    two_parts.add_node(5)
    assert brokers(two_parts, normalized=False) == {0: 0.0, 1: 1.0, 2: 0.0, 3: 0.0, 4: 0.0, 5: 0.0}


def test_industry_figures() -> None:
    G = nx.Graph()
    G.add_edge("figure", "ceo_a", strength=0.8)
    G.add_edge("figure", "buyer_b", strength=0.5)
    G.add_edge("figure", "ceo_b", strength=0.2)
    G.add_edge("figure", "colleague", strength=1.0)
    G.add_edge("insider", "colleague", strength=1.0)
    G.add_edge("insider", "buyer_b", strength=0.4)
    employer_of = {
        "figure": {"assoc"}, "colleague": {"assoc"}, "insider": {"a"},
        "ceo_a": {"a"}, "buyer_b": {"b"}, "ceo_b": {"b"},
    }
    layer_of = {("ceo_a", "a"): "decision_maker", ("ceo_b", "b"): "decision_maker", ("buyer_b", "b"): "executor"}
    figures = industry_figures(G, employer_of, layer_of)
    # figure: a via the CEO 0.8 * 2, b via the buyer 0.5 (beats the CEO's 0.2 * 2); its colleague is its own company
    assert figures[0] == IndustryFigure("figure", pytest.approx(2.1), 2, 2)
    assert [f.person for f in figures] == ["figure", "insider", "colleague", "buyer_b", "ceo_a", "ceo_b"]
    assert industry_figures(G, employer_of, layer_of, limit=1) == figures[:1]


def test_internal_influence_combines_seniority_and_centrality() -> None:
    G = nx.Graph()
    G.add_edges_from([("gm", "buyer"), ("buyer", "engineer"), ("buyer", "operator")], strength=0.5)
    G.add_node("newcomer")
    seniority = {"gm": 10, "buyer": 5, "engineer": 3, "operator": 3, "newcomer": 3}
    standing = internal_influence(G, seniority)
    assert standing["buyer"].centrality == 1.0  # the hub of the company's ties
    assert standing["newcomer"].centrality == 0.0  # tied to no colleague
    assert standing["buyer"].influence == pytest.approx(0.5 * 0.5 + 0.5 * 1.0)
    assert standing["gm"].influence == pytest.approx(0.5 * 1.0 + 0.5 * standing["gm"].centrality)
    assert standing["newcomer"].influence == pytest.approx(0.15)
    only_titles = internal_influence(G, seniority, prior_weight=1.0)
    assert max(only_titles, key=lambda p: only_titles[p].influence) == "gm"
    alone = internal_influence(nx.empty_graph(["a", "b"]), {"a": 7})
    assert (alone["a"].influence, alone["b"].influence, alone["a"].centrality) == (0.35, 0.15, 0.0)
    with pytest.raises(ValueError):
        internal_influence(G, seniority, prior_weight=2)


def test_a_prepared_adjacency_gives_the_same_answers(karate: nx.Graph) -> None:
    prepared = adjacency(karate, "weight")
    assert len(prepared) == 34 and 0 in prepared and "x" not in prepared
    assert weighted_pagerank(prepared, "weight") == weighted_pagerank(karate, "weight")
    assert influence_toward(prepared, [0], "weight") == influence_toward(karate, [0], "weight")
    assert brokers(prepared, k=8) == brokers(karate, k=8)
    with pytest.raises(ValueError):
        weighted_pagerank(prepared, "strength")
    with pytest.raises(TypeError):
        brokers(prepared, weight="cost")
    directed = adjacency(_directed(), "strength")
    _close(brokers(directed), nx.betweenness_centrality(_directed()))


def _same_matrix(ours, reference) -> None:  # type: ignore[no-untyped-def]
    assert ours.nodes == reference.nodes and ours.weight == reference.weight
    assert ours.matrix.shape == reference.matrix.shape and ours.matrix.nnz == reference.matrix.nnz
    assert abs(ours.matrix - reference.matrix).max() == 0.0


def test_a_patched_adjacency_is_the_one_built_again(karate: nx.Graph) -> None:
    before = adjacency(karate, "weight")
    karate.edges[0, 1]["weight"] = 0.25  # changed
    karate.remove_edge(0, 2)  # removed
    karate.add_edge(5, 33, weight=7)  # added between known people
    karate.add_edge(33, "newcomer", weight=2)  # added to a new person
    karate.add_node("loner")
    moved = [(0, 1), (2, 0), (5, 33), ("newcomer", 33), (3, 4)]  # (3, 4) did not change
    after = patched(before, karate, moved)
    _same_matrix(after, adjacency(karate, "weight"))
    assert after.nodes[-2:] == ["newcomer", "loner"]
    assert weighted_pagerank(after, "weight") == pytest.approx(nx.pagerank(karate, weight="weight"), abs=1e-9)
    _same_matrix(patched(after, karate, []), after)


def test_subgraph_adjacency_reads_only_the_chosen_people(karate: nx.Graph) -> None:
    people = [0, 1, 2, 3, 33, "stranger"]
    sub = subgraph_adjacency(karate, people, "weight")
    expected = nx.Graph(karate.subgraph(people[:-1]))
    expected.add_node("stranger")
    assert sub.nodes == people
    _close(weighted_pagerank(sub, "weight"), nx.pagerank(expected, weight="weight"))
    standing = internal_influence(sub, {}, "weight")
    assert standing["stranger"].centrality == 0.0


def test_brokers_in_forked_workers_give_the_same_answer(karate: nx.Graph) -> None:
    _close(brokers(karate, k=12, workers=2), brokers(karate, k=12))
    _close(brokers(karate, workers=3), nx.betweenness_centrality(karate))


def test_subgraph_adjacency_is_the_induced_subgraphs_matrix(karate: nx.Graph) -> None:
    karate.add_edge(3, 3, weight=5)  # a self-loop counts once
    people = [33, 0, 3, 1, 2, 8, 30]
    sub = subgraph_adjacency(karate, people, "weight")
    expected = adjacency(nx.Graph(karate.subgraph(people)), "weight")
    order = [expected.nodes.index(p) for p in people]
    assert abs(sub.matrix - expected.matrix[order][:, order]).max() == 0.0
    assert sub.matrix[2, 2] == 5
