"""Decision layers and seniority inferred from job titles and departments.

An employment may state its decision layer; when it does not, the layer is read
from the title and department with an ordered table of keyword rules, in English
and Chinese. The first rule that matches wins, so the order of ``DEFAULT_RULES``
is the policy:

1. the head of the organisation (CEO, president, chairman, general manager,
   总经理, 董事长 ...) and chief officers decide;
2. procurement, project and technical staff execute (采购, 项目, 技术 ...), even
   when senior: a "VP Engineering" shortlists suppliers, she does not sign;
3. the remaining vice presidents and deputies (副总裁, 副总经理 ...) decide;
4. the departments that use or run things day to day (production, operations,
   maintenance, trading, finance, legal ..., 生产, 设备, 运行 ...) are users
   and influencers;
5. anything else (``Employee``, ``NA``, a bare ``Manager``) stays unknown.

A deployment can put its own rules in front of these (or replace them) with a
JSON file read by :func:`load_rules`.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

from graph_service.errors import InvalidInput, Problem
from graph_service.model import DecisionLayer, Employment, StoredEmployment

_SEPARATORS = re.compile(r"[^\w]+|_")
_ASCII = re.compile(r"[a-z0-9]")


def _normalise(text: str) -> str:
    """Casefold, fold full-width forms (NFKC), and turn punctuation runs into single spaces."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(_SEPARATORS.sub(" ", folded).split())


def _keyword_pattern(keyword: str) -> str:
    """One keyword as a regex: ``*`` stands for any text, ASCII words match whole words only."""
    parts = [_normalise(part) for part in keyword.split("*")]
    pattern = ".*".join(re.escape(part) for part in parts)
    if parts[0] and _ASCII.match(parts[0][0]):
        pattern = r"(?<![a-z0-9])" + pattern
    if parts[-1] and _ASCII.match(parts[-1][-1]):
        pattern += r"(?![a-z0-9])"
    return pattern


@lru_cache(maxsize=1024)
def _compiled(keywords: tuple[str, ...]) -> re.Pattern[str] | None:
    patterns = [_keyword_pattern(k) for k in keywords if _normalise(k.replace("*", ""))]
    return re.compile("|".join(patterns)) if patterns else None


def _found(text: str, keywords: tuple[str, ...], unless: tuple[str, ...]) -> bool:
    """Whether normalised ``text`` contains one of ``keywords`` and none of ``unless``."""
    match, veto = _compiled(keywords), _compiled(unless)
    return match is not None and match.search(text) is not None and (veto is None or veto.search(text) is None)


@dataclass(frozen=True, eq=False)
class Rule:
    """``layer`` for a title (or, with ``fields="any"``, a department) containing a keyword.

    Keywords are case-insensitive; ASCII keywords match whole words, Chinese ones
    any substring; ``*`` matches any text in between ("chief * officer"). The rule
    is skipped when the same text contains one of the ``unless`` keywords. Rules
    compare and hash by identity, so a rules table is a cheap memo key.
    """

    layer: DecisionLayer
    keywords: tuple[str, ...]
    why: str
    unless: tuple[str, ...] = ()
    fields: Literal["title", "any"] = "any"

    def matches(self, title: str, department: str = "") -> bool:
        """Whether this rule applies to a title and department (both as recorded, any case)."""
        texts = (title, department) if self.fields == "any" else (title,)
        return any(_found(_normalise(text), self.keywords, self.unless) for text in texts if text)


_NOT_THE_TOP = (
    "vice", "deputy", "assistant", "associate", "secretary", "product owner", "process owner", "副", "助理", "秘书",
)

DEFAULT_RULES: tuple[Rule, ...] = (
    Rule(
        DecisionLayer.decision_maker,
        (
            "ceo", "chief executive", "president", "chairman", "chairwoman", "chairperson", "chair",
            "general manager", "managing director", "executive director", "owner", "founder", "proprietor",
            "board member", "member of the board", "director of the board",
            "总经理", "总裁", "董事长", "董事", "首席执行官", "老板", "法人",
            "厂长", "院长", "局长", "行长", "党委书记",
        ),
        "heads the organisation: signs (拍板层)",
        unless=_NOT_THE_TOP,
        fields="title",
    ),
    Rule(
        DecisionLayer.decision_maker,
        ("chief * officer", "coo", "cfo", "cto", "cio", "cmo", "cpo", "cro", "cso", "cco", "首席*官"),
        "a chief officer: part of the top team that signs",
        unless=("deputy", "assistant", "副", "助理"),
        fields="title",
    ),
    Rule(
        DecisionLayer.executor,
        (
            "procurement", "purchasing", "purchase", "purchaser", "buyer", "sourcing", "supply chain",
            "category manager", "tender", "tendering", "vendor management", "supplier",
            "采购", "采办", "招标", "招采", "供应", "物资",
        ),
        "procurement: shortlists suppliers, negotiates price and delivery (采购执行层)",
    ),
    Rule(
        DecisionLayer.executor,
        ("project", "projects", "program manager", "项目", "基建"),
        "project department: specifies and runs the purchase (采购执行层)",
    ),
    Rule(
        DecisionLayer.executor,
        (
            "engineering", "engineer", "technical", "technology", "technician", "research and development",
            "r&d", "information technology", "information systems", "it",
            "技术", "工程", "工艺", "研发", "信息", "总工",
        ),
        "technical department: evaluates and shortlists (采购执行层)",
    ),
    Rule(
        DecisionLayer.decision_maker,
        (
            "vice president", "vice chairman", "vp", "evp", "svp", "deputy general manager", "deputy ceo",
            "副总", "副总裁", "副总经理", "副董事长", "副厂长", "副院长", "副局长", "副行长", "分管",
        ),
        "a vice president or deputy head without a buying function: in the signing group",
        unless=("assistant", "助理", "总监"),
        fields="title",
    ),
    Rule(
        DecisionLayer.user_influencer,
        (
            "operations", "operation", "operating", "operator", "production", "manufacturing", "plant", "factory",
            "workshop", "maintenance", "facilities", "facility", "equipment", "quality", "qa", "qc", "safety",
            "logistics", "warehouse", "inventory", "scheduling", "scheduler", "dispatch", "dispatcher",
            "trading", "trader", "sales", "marketing", "customer service", "support",
            "finance", "financial", "accounting", "accountant", "treasury", "treasurer", "cash",
            "legal", "lawyer", "counsel", "attorney", "compliance", "risk", "regulatory", "government",
            "public affairs", "human resources", "hr", "administration", "administrative", "laboratory", "lab",
            "生产", "车间", "设备", "运行", "运营", "运维", "维修", "检修", "维护", "质量", "质检", "品质", "品管",
            "安全", "安环", "环保", "动力", "仓储", "仓库", "物流", "调度", "操作", "班组",
            "销售", "市场", "营销", "客服", "售后", "财务", "会计", "出纳", "法务", "律师", "风控", "风险", "合规",
            "审计", "人力", "人事", "行政", "办公室", "后勤", "化验", "实验室",
        ),
        "a department that uses or runs the product day to day (使用影响层)",
    ),
)
"""The built-in rules, in order: the first match wins."""


def match_rule(title: str, department: str = "", rules: Sequence[Rule] = DEFAULT_RULES) -> Rule | None:
    """The first rule that applies to a title and department, or ``None``."""
    return next((rule for rule in rules if rule.matches(title, department)), None)


@lru_cache(maxsize=65_536)
def _infer(title: str, department: str, rules: tuple[Rule, ...]) -> DecisionLayer:
    rule = match_rule(title, department, rules)
    return rule.layer if rule else DecisionLayer.unknown


def infer_layer(title: str, department: str = "", rules: Sequence[Rule] = DEFAULT_RULES) -> DecisionLayer:
    """The decision layer a title and department suggest.

    Parameters
    ----------
    title, department : str
        As recorded, in English or Chinese, any case ("Vice President, Enron Online", "采购部").
    rules : sequence of Rule
        Ordered rules; the first that matches decides. Defaults to ``DEFAULT_RULES``.

    Returns
    -------
    DecisionLayer
        ``unknown`` when no rule matches (e.g. "Employee", "NA", a bare "Manager").

    Notes
    -----
    Answers are memoised per (title, department, rules): an account repeats a
    few hundred titles over thousands of people.
    """
    return _infer(title, department, tuple(rules))


def layer_of(employment: Employment | StoredEmployment,
             rules: Sequence[Rule] = DEFAULT_RULES) -> tuple[DecisionLayer, bool]:
    """An employment's decision layer and whether it was inferred.

    The stated layer always wins. A layer stated as ``unknown`` says nothing, so it
    is inferred like a missing one.
    """
    stated = employment.decision_layer
    if stated is not None and stated != DecisionLayer.unknown:
        return stated, False
    return infer_layer(employment.title, employment.department, rules), True


def load_rules(path: str | Path) -> tuple[Rule, ...]:
    """Rules from a JSON file, in front of the built-in ones unless the file drops them.

    The file is either a list of rules or ``{"rules": [...], "keep_defaults": false}``.
    Each rule is ``{"layer": "executor", "keywords": ["category manager"], "why": "...",
    "unless": [...], "fields": "title" | "any"}`` (``why``, ``unless`` and ``fields``
    optional). Raises InvalidInput listing every broken rule.
    """
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise InvalidInput(Problem("rules", f"cannot read {path}: {err}")) from err
    keep_defaults = True
    if isinstance(doc, dict):
        keep_defaults = doc.get("keep_defaults", True) is not False
        doc = doc.get("rules")
    if not isinstance(doc, list):
        raise InvalidInput(Problem("rules", "expected a list of rules"))
    rules: list[Rule] = []
    problems: list[Problem] = []
    for i, raw in enumerate(doc):
        try:
            rules.append(_rule_from_json(raw))
        except (TypeError, ValueError, re.error) as err:
            problems.append(Problem(f"rules[{i}]", str(err)))
    if problems:
        raise InvalidInput(problems)
    return (*rules, *DEFAULT_RULES) if keep_defaults else tuple(rules)


def _rule_from_json(raw: object) -> Rule:
    if not isinstance(raw, dict):
        raise TypeError("a rule is an object")
    unknown = set(raw) - {"layer", "keywords", "why", "unless", "fields"}
    if unknown:
        raise ValueError(f"unknown keys {sorted(unknown)}")
    keywords, unless = raw.get("keywords"), raw.get("unless", [])
    for name, words in (("keywords", keywords), ("unless", unless)):
        if not isinstance(words, list) or not all(isinstance(w, str) for w in words):
            raise TypeError(f"{name} must be a list of strings")
    if not any(w.strip() for w in keywords):
        raise ValueError("keywords must not be empty")
    fields = raw.get("fields", "any")
    if fields not in ("title", "any"):
        raise ValueError("fields must be 'title' or 'any'")
    why = str(raw.get("why", "configured"))
    return Rule(DecisionLayer(raw.get("layer")), tuple(keywords), why, tuple(unless), fields)


@dataclass(frozen=True)
class Rank:
    """Seniority ``level`` for a title containing one of ``keywords`` and none of ``unless``."""

    level: int
    keywords: tuple[str, ...]
    unless: tuple[str, ...] = ()


_DEPUTY = ("deputy", "assistant", "副", "助理", "秘书")

SENIORITY: tuple[Rank, ...] = (
    Rank(10, ("ceo", "chief executive", "chairman", "chairwoman", "chairperson", "owner", "founder",
              "general manager", "总经理", "董事长", "首席执行官", "老板", "法人"), ("vice", *_NOT_THE_TOP)),
    Rank(9, ("president", "executive director", "board member",
             "总裁", "董事", "厂长", "院长", "局长", "行长", "党委书记"),
         ("vice", *_NOT_THE_TOP)),
    Rank(9, ("chief * officer", "coo", "cfo", "cto", "cio", "cmo", "cpo", "cro", "cso", "cco", "首席*官"), _DEPUTY),
    Rank(8, ("executive vice president", "senior vice president", "evp", "svp", "managing director",
             "常务副总", "执行副总", "高级副总")),
    Rank(7, ("vice president", "vice chairman", "vp", "deputy general manager", "deputy ceo", "chief of staff",
             "chief engineer", "board secretary", "company secretary",
             "副总裁", "副总经理", "副总", "副董事长", "副厂长", "副院长", "副局长", "副行长",
             "总工程师", "董事会秘书"),
         ("assistant", "助理", "总监")),
    Rank(6, ("director", "head", "总监", "部长"), _DEPUTY),
    Rank(5, ("manager", "assistant vice president", "assistant general manager", "assistant director",
             "deputy director", "经理", "主任", "科长", "处长", "总经理助理", "副部长", "副总监"),
         ("assistant manager", "副经理", "副主任", "副科长")),
    Rank(4, ("senior", "sr", "lead", "principal", "supervisor", "assistant manager", "team leader",
             "高级", "资深", "主管", "组长", "班长", "高工", "副经理", "副主任", "副科长")),
    Rank(3, ("specialist", "analyst", "engineer", "trader", "lawyer", "counsel", "attorney", "associate",
             "accountant", "consultant", "工程师", "专员", "分析师", "会计", "律师", "技术员")),
    Rank(2, ("assistant", "clerk", "secretary", "receptionist", "administrative", "助理", "文员", "秘书", "办事员")),
    Rank(1, ("intern", "trainee", "apprentice", "实习", "学徒", "见习")),
)
"""Seniority from the top down: the first rank whose keywords a title contains wins."""

UNKNOWN_SENIORITY = 3
"""The prior for a title that says nothing about rank ("Employee", "NA", "")."""


@lru_cache(maxsize=65_536)
def seniority_of(title: str) -> int:
    """A 0..10 prior for how senior a title is.

    Parameters
    ----------
    title : str
        As recorded, in English or Chinese.

    Returns
    -------
    int
        10 CEO, chairman, general manager (总经理, 董事长); 9 president and chief
        officers; 8 EVP/SVP and managing director; 7 vice president (副总裁); 6
        director, head (总监, 部长); 5 manager (经理, 主任, 科长); 4 senior
        specialist, supervisor (主管); 3 specialist, analyst, engineer and any title
        that does not say (``UNKNOWN_SENIORITY``); 2 assistant; 1 intern.

    Notes
    -----
    Levels are tried from the top; the first whose keywords the title contains
    wins, so "Vice President, Also Chief Financial Officer" is a chief officer (9)
    and "Employee, Senior Specialist" a senior specialist (4).
    """
    text = _normalise(title)
    if not text:
        return UNKNOWN_SENIORITY
    return next((rank.level for rank in SENIORITY if _found(text, rank.keywords, rank.unless)), UNKNOWN_SENIORITY)
