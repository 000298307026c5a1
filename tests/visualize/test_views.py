"""View builders on tiny inputs with hand-counted answers."""

from __future__ import annotations

from datetime import date

import pytest

from graph_service.errors import InvalidInput
from tests.visualize.samples import ACME, PERSONS, account_input, moves_input, network_input, paths_input
from visualize import views


def test_path_view_merges_shared_persons_and_links_the_target_company() -> None:
    data = paths_input()
    G = views.path_view(data["paths"], target=data["target"])
    assert set(G) == {"p:me", "p:ann", "p:bo", "p:ceo", "c:acme"}
    assert G.is_directed()
    assert G.nodes["p:me"]["role"] == "start" and G.nodes["c:acme"]["role"] == "target"
    assert G.edges["p:ceo", "c:acme"]["kind"] == "employment"
    hop = G.edges["p:ann", "p:ceo"]
    assert hop["hop"] and hop["strength"] == 0.6
    assert hop["evidence"].startswith("Introduced Ann to Zhang at the 2023 trade show\n")
    assert hop["evidence"].endswith("on path 1")
    assert G.edges["p:me", "p:ann"]["evidence"].startswith("colleague tie, strength 0.80, since 2019-05-01")


def test_path_view_lists_every_path_using_a_hop() -> None:
    p = PERSONS
    path = {"persons": [p["me"], p["ann"], p["ceo"]], "hops": [{"strength": 0.5}, {"strength": 0.5}]}
    G = views.path_view([path, path])
    assert G.edges["p:me", "p:ann"]["evidence"].endswith("on path 1, 2")
    assert G.nodes["p:ceo"]["role"] == "target"


def test_path_view_refuses_mismatched_hops() -> None:
    with pytest.raises(InvalidInput):
        views.path_view([{"persons": [PERSONS["me"], PERSONS["ann"]], "hops": []}])


def test_network_view_caps_a_hub_with_a_summary_node() -> None:
    data = network_input(hub_ties=120, cap=10)
    G = views.network_view("me", persons=data["persons"], ties=data["ties"], depth=1, cap=10)
    persons = [n for n, a in G.nodes(data=True) if a["kind"] == "person"]
    assert len(persons) == 11  # the center and 10 strongest neighbours
    assert G.nodes["more:me"]["hidden_count"] == 110
    assert G.nodes["more:me"]["label"] == "110 more"
    assert G.has_edge("p:ann", "p:bo")  # ties among drawn persons are drawn
    assert G.nodes["p:me"]["role"] == "center"


def test_network_view_uses_given_degrees_for_truncated_ties() -> None:
    data = network_input(hub_ties=5, cap=10)
    G = views.network_view("me", persons=data["persons"], ties=data["ties"], cap=10, degrees={"me": 5000})
    assert G.nodes["more:me"]["hidden_count"] == 5000 - 5


def test_network_view_depth_two_expands_neighbours() -> None:
    ties = [{"a": "c", "b": "n1", "strength": 0.9}, {"a": "c", "b": "n2", "strength": 0.8},
            {"a": "n1", "b": "m1"}, {"a": "n1", "b": "m2"}, {"a": "n1", "b": "m3"}, {"a": "m1", "b": "far"}]
    one = views.network_view("c", persons={}, ties=ties, depth=1, cap=5)
    assert set(one) == {"p:c", "p:n1", "p:n2"}
    two = views.network_view("c", persons={}, ties=ties, depth=2, cap=2)
    # n1 has c drawn already, so one more neighbour fits under the cap of 2; m2 and m3 are summarised
    assert set(two) == {"p:c", "p:n1", "p:n2", "p:m1", "more:n1"}
    assert two.nodes["more:n1"]["hidden_count"] == 2
    assert "p:far" not in two  # m1 is on the frontier, not a hub


def test_network_view_bounds() -> None:
    with pytest.raises(InvalidInput):
        views.network_view("c", persons={}, ties=[], depth=3)
    with pytest.raises(InvalidInput):
        views.network_view("c", persons={}, ties=[], cap=0)


def test_account_view_levels_and_coverage() -> None:
    G = views.account_view(account_input())
    assert G.graph["hierarchical"]
    assert G.nodes["c:acme"]["level"] == 0
    assert G.nodes["p:ceo"]["level"] == 1 and G.nodes["p:bo"]["level"] == 2 and G.nodes["p:eng"]["level"] == 3
    assert G.nodes["p:new"]["level"] == 4 and G.nodes["p:me"]["level"] == 5
    assert G.nodes["p:me"]["internal"] and not G.nodes["p:bo"]["internal"]
    assert G.graph["subtitle"] == "5 people, 2 reached by our team"
    assert G.nodes["p:cfo"]["company"] == ACME["name"]


def test_talent_flow_counts_moves_in_the_period() -> None:
    data = moves_input()
    G = views.talent_flow_view(data["moves"], companies=data["companies"], persons=data["persons"],
                               since=date(2022, 1, 1))
    assert set(G) == {"c:beta", "c:acme", "c:gamma"}
    assert G.edges["c:beta", "c:acme"]["weight"] == 2
    assert G.edges["c:acme", "c:gamma"]["weight"] == 1
    assert not G.has_edge("c:gamma", "c:beta")  # 2021: before the period
    assert not G.has_edge("c:acme", "c:acme")  # a role change is not a move
    assert "Zhang Wei: VP → General Manager (2023-03-01)" in G.edges["c:beta", "c:acme"]["evidence"]
    assert G.nodes["c:acme"]["influence"] == 1.0  # busiest: 3 moves in or out


def test_talent_flow_min_moves_and_unknown_dates() -> None:
    moves = [{"person_id": "a", "from_company_id": "x", "to_company_id": "y", "on": None},
             {"person_id": "b", "from_company_id": "x", "to_company_id": "y", "on": date(2024, 1, 1)}]
    assert views.talent_flow_view(moves).edges["c:x", "c:y"]["weight"] == 2
    assert views.talent_flow_view(moves, until=date(2030, 1, 1)).edges["c:x", "c:y"]["weight"] == 1
    assert views.talent_flow_view(moves, min_moves=3).number_of_nodes() == 0


def test_builders_accept_model_objects() -> None:
    from datetime import datetime, timezone

    from graph_service.model import Company, JobMove, Person

    G = views.path_view([{"persons": [Person(id="me", name="Me", internal=True), Person(id="you", name="You")],
                          "hops": [{"strength": 0.5}]}])
    assert G.nodes["p:me"]["internal"] and G.nodes["p:you"]["label"] == "You"

    def move(id: str, type: str, to: str) -> JobMove:
        return JobMove(id=id, type=type, person_id="you", from_company_id="a", from_title="VP", from_layer="executor",
                       to_company_id=to, to_title="CEO", to_layer="decision_maker", on=date(2024, 5, 1),
                       precision="month", from_employment_id="e1", to_employment_id="e2",
                       learned_at=datetime(2024, 6, 1, tzinfo=timezone.utc), source="test")

    flow = views.talent_flow_view([move("m1", "move", "b"), move("m2", "role_change", "a")],
                                  companies={"a": Company(id="a", name="A Co", status="customer")})
    assert set(flow) == {"c:a", "c:b"} and flow.nodes["c:a"]["status"] == "customer"
    assert flow.edges["c:a", "c:b"]["evidence"] == "1 move\nyou: VP → CEO (2024-05-01)"


def test_visualize_never_imports_the_store_or_the_api() -> None:
    import subprocess
    import sys

    code = ("import sys, visualize.assets, visualize.embed, visualize.export, visualize.render, visualize.style, "
            "visualize.views; print(sorted(m for m in sys.modules if m.startswith(('graph_service', 'api', 'fastapi'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "['graph_service', 'graph_service.errors', 'graph_service.model']"
