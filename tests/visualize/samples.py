"""Small view inputs shared by the visualize tests, the browser tests and the benchmark.

Names include HTML/script injection strings: they must come out as text everywhere.
"""

from __future__ import annotations

import random
from datetime import date
from typing import Any

import networkx as nx

from visualize import views

INJECTIONS = [
    "<script>alert('x')</script>",
    '"><img src=x onerror=alert(1)>',
    "</script><script>alert(2)</script>",
    "{{7*7}} ${7*7} <!--",
]

PERSONS: dict[str, dict[str, Any]] = {
    "me": {"id": "me", "name": "Lin (our team)", "internal": True},
    "ann": {"id": "ann", "name": "Ann Chen", "title": "Sales Director", "company": "Partner Co", "influence": 0.6},
    "bo": {"id": "bo", "name": INJECTIONS[0], "title": INJECTIONS[1], "company": "Acme", "layer": "executor",
           "influence": 0.5},
    "ceo": {"id": "ceo", "name": "Zhang Wei", "title": "General Manager", "company": "Acme",
            "layer": "decision_maker", "influence": 0.95},
    "eng": {"id": "eng", "name": INJECTIONS[2], "title": "Plant engineer", "company": "Acme",
            "layer": "user_influencer", "influence": 0.3},
}

ACME = {"id": "acme", "name": "Acme <Heavy> & Sons", "status": "prospect"}


def paths_input() -> dict[str, Any]:
    p = PERSONS
    return {
        "paths": [
            {"persons": [p["me"], p["ann"], p["ceo"]],
             "hops": [{"kind": "colleague", "strength": 0.8, "source": "sales_accounts", "since": date(2019, 5, 1)},
                      {"evidence": ["Introduced Ann to Zhang at the 2023 trade show", INJECTIONS[3]],
                       "strength": 0.6}]},
            {"persons": [p["me"], p["bo"], p["ceo"]],
             "hops": [{"kind": "customer", "strength": 0.5}, {"kind": "colleague", "strength": 0.4}]},
        ],
        "target": ACME,
    }


def network_input(hub_ties: int = 120, cap: int = 10) -> dict[str, Any]:
    """``me`` has ``hub_ties`` ties; with ``cap`` the view draws cap neighbours and one "N more" node."""
    persons = dict(PERSONS)
    ties = [{"a": "me", "b": "ann", "strength": 0.9, "kind": "colleague"},
            {"a": "me", "b": "bo", "strength": 0.88, "kind": "customer", "notes": INJECTIONS[1]},
            {"a": "ann", "b": "bo", "strength": 0.4}]
    for i in range(hub_ties - 2):
        persons[f"x{i}"] = {"id": f"x{i}", "name": f"Contact {i}", "layer": ["executor", "decision_maker", None][i % 3],
                            "influence": (i % 10) / 10}
        ties.append({"a": "me", "b": f"x{i}", "strength": round(0.05 + (i % 17) / 20, 2), "kind": "event"})
    return {"center": "me", "persons": persons, "ties": ties, "depth": 1, "cap": cap}


def account_input() -> dict[str, Any]:
    p = PERSONS
    return {
        "company": ACME,
        "people": [p["ceo"], p["bo"], p["eng"], {"id": "cfo", "name": "Li Na", "title": "CFO", "layer": "decision_maker",
                                                  "influence": 0.8},
                   {"id": "new", "name": "Wang Fang", "title": "Buyer"}],
        "team": [p["me"], {"id": "rep", "name": "Sam (our team)", "internal": True}],
        "ties": [{"a": "me", "b": "bo", "strength": 0.7}, {"a": "rep", "b": "eng", "strength": 0.3},
                 {"a": "bo", "b": "ceo", "strength": 0.5, "kind": "colleague"}],
    }


def moves_input() -> dict[str, Any]:
    companies = {"acme": ACME, "beta": {"id": "beta", "name": "Beta Corp", "status": "customer"},
                 "gamma": {"id": "gamma", "name": INJECTIONS[0], "status": "competitor"}}
    persons = {"ceo": PERSONS["ceo"], "bo": PERSONS["bo"], "z": {"id": "z", "name": "Zhao"}}
    moves = [
        {"person_id": "ceo", "from_company_id": "beta", "to_company_id": "acme", "on": date(2023, 3, 1),
         "from_title": "VP", "to_title": "General Manager"},
        {"person_id": "bo", "from_company_id": "beta", "to_company_id": "acme", "on": date(2023, 9, 1)},
        {"person_id": "z", "from_company_id": "acme", "to_company_id": "gamma", "on": date(2024, 1, 15)},
        {"person_id": "z", "from_company_id": "gamma", "to_company_id": "beta", "on": date(2021, 1, 1)},
        {"person_id": "bo", "from_company_id": "acme", "to_company_id": "acme", "on": date(2024, 2, 1),
         "type": "role_change"},
    ]
    return {"moves": moves, "companies": companies, "persons": persons, "since": date(2022, 1, 1)}


def sample_views() -> dict[str, nx.Graph]:
    """One view graph of each kind."""
    paths = paths_input()
    network = network_input()
    moves = moves_input()
    return {
        "paths": views.path_view(paths["paths"], target=paths["target"]),
        "network": views.network_view(network["center"], persons=network["persons"], ties=network["ties"],
                                      depth=1, cap=network["cap"]),
        "account": views.account_view(account_input()),
        "talent_flow": views.talent_flow_view(moves["moves"], companies=moves["companies"],
                                              persons=moves["persons"], since=moves["since"]),
    }


def large_network(nodes: int, *, extra_ties: int | None = None, seed: int = 7) -> nx.Graph:
    """A network view with exactly ``nodes`` nodes: a center tied to everyone, plus random ties among them."""
    rng = random.Random(seed)
    layers = ["decision_maker", "executor", "user_influencer", None]
    persons = {"c": {"id": "c", "name": "Center Person", "internal": True}}
    for i in range(1, nodes):
        persons[f"person-{i:05d}"] = {
            "id": f"person-{i:05d}", "name": f"Person {i} Surname", "layer": layers[i % 4],
            "title": "Procurement Manager", "company": f"Company {i % 37}", "influence": round(rng.random(), 2),
        }
    ids = [pid for pid in persons if pid != "c"]
    ties = [{"a": "c", "b": pid, "strength": round(rng.uniform(0.05, 1), 2), "kind": "colleague",
             "source": "sales_accounts"} for pid in ids]
    for _ in range(nodes if extra_ties is None else extra_ties):
        a, b = rng.sample(ids, 2)
        ties.append({"a": a, "b": b, "strength": round(rng.uniform(0.05, 1), 2), "kind": "event",
                     "source": "industry_associations"})
    return views.network_view("c", persons=persons, ties=ties, depth=1, cap=nodes)
