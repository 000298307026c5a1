"""The one styling module: how a view graph's nodes and edges look, and the legend that explains it.

Every view draws with the same vocabulary:

* **persons** are dots coloured by their **decision layer** at the account
  (decision-maker, executor, user/influencer, unknown); **our team** are stars;
* **companies** are squares coloured by their **status** (customer, prospect ...);
* **summary** nodes ("N more") are grey boxes;
* node **size** grows with **influence** (0..1);
* edge **width** grows with tie **strength** (0..1) or, for job moves, with the
  number of moves; ties of our team are drawn in our team's colour.

Styles are grouped: each node belongs to one group (``node_group``), the groups
are sent once in the vis-network options, so a node costs only its id, label,
group, size and tooltip in the page.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from graph_service.model import CompanyStatus, DecisionLayer


@dataclass(frozen=True)
class GroupStyle:
    """How one group of nodes is drawn; ``shape`` is a vis-network node shape."""

    label: str
    color: str
    border: str
    shape: str


@dataclass(frozen=True)
class EdgeStyle:
    label: str
    color: str
    dashes: bool = False


@dataclass(frozen=True)
class LegendEntry:
    """One line of a view's legend: a swatch (node shape or edge line) and its meaning."""

    label: str
    color: str
    shape: str  # a node shape ("dot", "star", "square", "box") or "line"
    dashes: bool = False


TEAM_COLOR = "#7B3FA0"

LAYER_STYLES: dict[str, GroupStyle] = {
    DecisionLayer.decision_maker.value: GroupStyle("Decision-maker", "#D55E00", "#8F3F00", "dot"),
    DecisionLayer.executor.value: GroupStyle("Executor", "#0072B2", "#004C77", "dot"),
    DecisionLayer.user_influencer.value: GroupStyle("User / influencer", "#009E73", "#006A4D", "dot"),
    DecisionLayer.unknown.value: GroupStyle("Person, layer unknown", "#A0A0A0", "#6B6B6B", "dot"),
}

STATUS_STYLES: dict[str, GroupStyle] = {
    CompanyStatus.customer.value: GroupStyle("Customer", "#2E8B57", "#1D5937", "square"),
    CompanyStatus.prospect.value: GroupStyle("Prospect", "#56B4E9", "#2F7FAD", "square"),
    CompanyStatus.partner.value: GroupStyle("Partner", "#B8A600", "#7A6E00", "square"),
    CompanyStatus.competitor.value: GroupStyle("Competitor", "#C62828", "#841B1B", "square"),
    CompanyStatus.association.value: GroupStyle("Association", "#8C564B", "#5D3932", "square"),
    CompanyStatus.other.value: GroupStyle("Company", "#7F7F7F", "#555555", "square"),
}

TEAM_STYLE = GroupStyle("Our team", TEAM_COLOR, "#4F2868", "star")
SUMMARY_STYLE = GroupStyle("More ties, not drawn", "#EEEEEE", "#9E9E9E", "box")

EDGE_STYLES: dict[str, EdgeStyle] = {
    "tie": EdgeStyle("Tie (width: strength)", "#8A8A8A"),
    "team_tie": EdgeStyle("Tie of our team", TEAM_COLOR),
    "hop": EdgeStyle("Introduction hop (label: evidence)", "#444444"),
    "employment": EdgeStyle("Works at", "#C8C8C8", dashes=True),
    "move": EdgeStyle("Job moves (width: count)", "#E07B39"),
    "summary": EdgeStyle("Ties not drawn", "#BDBDBD", dashes=True),
}

MIN_NODE_SIZE = 10.0
MAX_NODE_SIZE = 34.0
DEFAULT_INFLUENCE = 0.3
MAX_EDGE_WIDTH = 12.0


def node_group(attrs: Mapping[str, Any]) -> str:
    """The style group of a node from its view attributes (``kind``, ``internal``, ``layer``, ``status``)."""
    kind = attrs.get("kind", "person")
    if kind == "summary":
        return "summary"
    if kind == "company":
        status = attrs.get("status") or CompanyStatus.other.value
        return f"company:{status if status in STATUS_STYLES else CompanyStatus.other.value}"
    if attrs.get("internal"):
        return "team"
    layer = attrs.get("layer") or DecisionLayer.unknown.value
    return f"layer:{layer if layer in LAYER_STYLES else DecisionLayer.unknown.value}"


def group_style(group: str) -> GroupStyle:
    if group == "summary":
        return SUMMARY_STYLE
    if group == "team":
        return TEAM_STYLE
    family, _, key = group.partition(":")
    if family == "company":
        return STATUS_STYLES[key]
    return LAYER_STYLES[key]


def vis_groups(groups: Iterable[str]) -> dict[str, dict[str, Any]]:
    """The vis-network ``groups`` option for these groups."""
    out: dict[str, dict[str, Any]] = {}
    for group in sorted(set(groups)):
        style = group_style(group)
        color = {"background": style.color, "border": style.border}
        out[group] = {
            "shape": style.shape,
            "color": {**color, "highlight": color, "hover": color},
        }
        if group == "summary":
            out[group]["font"] = {"color": "#555555", "size": 13}
    return out


def node_size(influence: float | None) -> float:
    """Size in pixels for an influence in [0, 1]; unknown influence draws small-medium."""
    value = DEFAULT_INFLUENCE if influence is None else min(max(float(influence), 0.0), 1.0)
    return round(MIN_NODE_SIZE + (MAX_NODE_SIZE - MIN_NODE_SIZE) * value, 1)


def edge_width(strength: float | None = None, weight: int | None = None) -> float:
    """Width of an edge: from a tie ``strength`` in (0, 1], or from a move count ``weight`` >= 1."""
    if weight is not None:
        return round(min(MAX_EDGE_WIDTH, 1.0 + 2.0 * math.log2(1 + max(int(weight), 0))), 1)
    if strength is None:
        return 1.0
    return round(1.0 + 5.0 * min(max(float(strength), 0.0), 1.0), 1)


def edge_style_key(attrs: Mapping[str, Any], touches_team: bool) -> str:
    kind = attrs.get("kind", "tie")
    if kind == "tie":
        if attrs.get("hop"):
            return "hop"
        return "team_tie" if touches_team else "tie"
    return kind if kind in EDGE_STYLES else "tie"


def legend(groups: Iterable[str], edge_keys: Iterable[str]) -> list[LegendEntry]:
    """Legend entries for the groups and edge styles present in a view, in a stable order."""
    present = set(groups)
    order = (
        ["team"]
        + [f"layer:{key}" for key in LAYER_STYLES]
        + [f"company:{key}" for key in STATUS_STYLES]
        + ["summary"]
    )
    entries = []
    for group in order:
        if group in present:
            style = group_style(group)
            entries.append(LegendEntry(style.label, style.color, style.shape))
    keys = set(edge_keys)
    for key, style in EDGE_STYLES.items():
        if key in keys:
            entries.append(LegendEntry(style.label, style.color, "line", style.dashes))
    return entries
