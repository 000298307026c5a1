"""Decision layers and seniority from real titles, in English and Chinese."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from graph_service.errors import InvalidInput
from graph_service.layers import DEFAULT_RULES, infer_layer, layer_of, load_rules, match_rule, seniority_of
from graph_service.model import DecisionLayer
from tests.factories import job

DM, EX, UI, UNK = (
    DecisionLayer.decision_maker,
    DecisionLayer.executor,
    DecisionLayer.user_influencer,
    DecisionLayer.unknown,
)

# Every distinct position in the Enron data set (shared/data/enron/employees.csv), as recorded.
ENRON = [
    ("CEO", DM, 10),
    ("CEO, Enron America", DM, 10),
    ("CEO, Enron North America and Enron Enery Services", DM, 10),
    ("President", DM, 9),
    ("President, Enron Gas Pipeline", DM, 9),
    ("President, Enron Global Mkts", DM, 9),
    ("President, Enron Online", DM, 9),
    ("Vice President, Also Chief Financial Officer and Treasurer", DM, 9),
    ("Employee, Chief Operating Officer", DM, 9),
    ("Manager, Chief Risk Management Officer", DM, 9),
    ("Managing Director", DM, 8),
    ("Managing Director, Legal Department", DM, 8),
    ("Vice President", DM, 7),
    ("Vice President, Enery marketting and trading Florida", DM, 7),
    ("Vice President, Enron Online", DM, 7),
    ("Vice President, Enron WholeSale Services", DM, 7),
    ("Vice President, Government Affairs", DM, 7),
    ("Vice President, Regulatory Affairs", DM, 7),
    ("Vice President, Term", DM, 7),
    ("Vice President, Vice President & Chief of Staff", DM, 7),
    ("Director", UNK, 6),
    ("Director, Pipeline Business", UNK, 6),
    ("Manager", UNK, 5),
    ("Manager, Logistics Manager", UI, 5),
    ("Manager, Real time Trading Desk", UI, 5),
    ("Manager, Regulatory Affairs", UI, 5),
    ("Manager, Risk Management Head", UI, 6),
    ("Employee, Senior Specialist", UNK, 4),
    ("Employee, Sr.Specialist", UNK, 4),
    ("Employee, Senior Specialist Logistics", UI, 4),
    ("Employee, Senior Analyst Cash", UI, 4),
    ("Employee, Specialist", UNK, 3),
    ("Employee, Analyst", UNK, 3),
    ("Employee, Analyst Risk Management", UI, 3),
    ("Employee, Cash Analyst", UI, 3),
    ("Employee, Associate", UNK, 3),
    ("Employee, Government Relation Executive", UI, 3),
    ("Employee, Administrative Asisstant", UI, 2),
    ("In House Lawyer", UI, 3),
    ("Trader", UI, 3),
    ("Employee", UNK, 3),
    ("NA", UNK, 3),
    ("", UNK, 3),
]

# Titles common in Chinese companies, those of the seed article among them.
CHINESE = [
    ("董事长", DM, 10),
    ("总经理", DM, 10),
    ("CEO兼总经理", DM, 10),
    ("总裁", DM, 9),
    ("厂长", DM, 9),
    ("党委书记", DM, 9),
    ("常务副总经理", DM, 8),
    ("副总裁", DM, 7),
    ("副总经理", DM, 7),
    ("副厂长", DM, 7),
    ("采购经理", EX, 5),
    ("采购部长", EX, 6),
    ("采购员", EX, 3),
    ("物资部部长", EX, 6),
    ("招标办主任", EX, 5),
    ("项目经理", EX, 5),
    ("技术总监", EX, 6),
    ("总工程师", EX, 7),
    ("副总工程师", EX, 7),
    ("应用工程师", EX, 3),
    ("信息中心主任", EX, 5),
    ("生产部主任", UI, 5),
    ("设备科科长", UI, 5),
    ("车间主任", UI, 5),
    ("质检员", UI, 3),
    ("仓库管理员", UI, 3),
    ("运行值长", UI, 3),
    ("销售经理", UI, 5),
    ("财务总监", UI, 6),
    ("法务专员", UI, 3),
    ("总经理助理", UNK, 5),
    ("董事会秘书", UNK, 7),
    ("副总监", UNK, 5),
    ("实习生", UNK, 1),
]

# Other English titles seen on business cards and org charts.
ENGLISH = [
    ("Founder & CEO", DM, 10),
    ("Chairman of the Board", DM, 10),
    ("General Manager", DM, 10),
    ("Owner", DM, 10),
    ("Chief Procurement Officer", DM, 9),
    ("Executive Vice President, Operations", DM, 8),
    ("VP Engineering", EX, 7),
    ("Sr. Director, Strategic Sourcing", EX, 6),
    ("Head of IT", EX, 6),
    ("Senior Buyer", EX, 4),
    ("Purchasing Agent", EX, 3),
    ("Project Engineer", EX, 3),
    ("R&D Manager", EX, 5),
    ("Plant Manager", UI, 5),
    ("Quality Assurance Manager", UI, 5),
    ("Maintenance Supervisor", UI, 4),
    ("HR Business Partner", UI, 3),
    ("Assistant to the CEO", UNK, 2),
    ("Assistant Manager", UNK, 4),
    ("Product Owner", UNK, 3),
]


@pytest.mark.parametrize(("title", "layer", "seniority"), ENRON + CHINESE + ENGLISH)
def test_titles(title: str, layer: DecisionLayer, seniority: int) -> None:
    assert (infer_layer(title), seniority_of(title)) == (layer, seniority)


def test_the_table_is_large_enough() -> None:
    assert len(ENRON + CHINESE + ENGLISH) >= 40
    assert len(CHINESE) >= 20


@pytest.mark.parametrize(
    ("title", "department", "layer"),
    [
        ("Manager", "Procurement", EX),
        ("经理", "采购部", EX),
        ("主任", "生产部", UI),
        ("Director", "Engineering", EX),
        ("Analyst", "Trading", UI),
        ("CEO", "Procurement", DM),  # the title of the head outranks the department
        ("Vice President", "Purchasing", EX),  # a deputy with a buying function executes
        ("Employee", "", UNK),
    ],
)
def test_department_decides_when_the_title_does_not(title: str, department: str, layer: DecisionLayer) -> None:
    assert infer_layer(title, department) == layer


def test_keywords_match_whole_words_and_fold_width() -> None:
    assert infer_layer("Vice-President") == DM
    assert infer_layer("ＣＥＯ") == DM  # full-width letters
    assert infer_layer("Presidential Aide") == UNK
    assert infer_layer("Leadership coach") == UNK  # "lead" is a word, not a prefix
    assert seniority_of("Leadership coach") == 3


def test_stated_layer_wins_and_inferred_says_so() -> None:
    stated = job("p1", "c1", "2020-01-01", title="CEO", decision_layer="user_influencer")
    assert layer_of(stated) == (UI, False)
    inferred = job("p1", "c1", "2020-01-01", title="采购经理")
    assert layer_of(inferred) == (EX, True)
    unknown = job("p1", "c1", "2020-01-01", title="总经理", decision_layer="unknown")
    assert layer_of(unknown) == (DM, True)


def test_match_rule_explains() -> None:
    rule = match_rule("采购经理")
    assert rule is not None and rule.layer == EX and "采购" in rule.why
    assert match_rule("NA") is None


def test_configured_rules_go_first(tmp_path: Path) -> None:
    path = tmp_path / "rules.json"
    path.write_text(json.dumps([{"layer": "executor", "keywords": ["category manager", "品类经理"], "why": "ours"}]))
    rules = load_rules(path)
    assert rules[1:] == DEFAULT_RULES
    assert infer_layer("品类经理", rules=rules) == EX
    assert infer_layer("Trader", rules=rules) == UI


def test_configured_rules_can_replace_the_defaults(tmp_path: Path) -> None:
    path = tmp_path / "rules.json"
    doc = {"keep_defaults": False, "rules": [{"layer": "decision_maker", "keywords": ["partner"], "fields": "title"}]}
    path.write_text(json.dumps(doc))
    rules = load_rules(path)
    assert len(rules) == 1
    assert infer_layer("Senior Partner", rules=rules) == DM
    assert infer_layer("CEO", rules=rules) == UNK
    assert infer_layer("Manager", "Partner Relations", rules=rules) == UNK


def test_broken_rules_are_listed(tmp_path: Path) -> None:
    path = tmp_path / "rules.json"
    path.write_text(json.dumps([{"layer": "boss", "keywords": ["x"]}, {"layer": "executor", "keywords": []}, 3]))
    with pytest.raises(InvalidInput) as err:
        load_rules(path)
    assert [p.field for p in err.value.problems] == ["rules[0]", "rules[1]", "rules[2]"]
    path.write_text("{not json")
    with pytest.raises(InvalidInput):
        load_rules(path)
