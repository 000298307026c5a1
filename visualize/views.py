"""View builders: plain data (the services' results) in, a view graph out.

Pure functions; see :mod:`visualize` for the view-graph attributes. Records may
be mappings or objects with the same field names (pydantic models such as
``graph_service.model.Person`` or ``JobMove`` work as they are).

Input shapes
------------
person
    ``id``, ``name``; optional ``internal``, ``layer`` (decision layer at the
    account in view), ``title``, ``company`` (name), ``influence`` (0..1).
company
    ``id``, ``name``; optional ``status``, ``influence``.
tie
    ``a``, ``b``; optional ``strength``, ``kind``, ``source``, ``since``,
    ``notes``, or a ready ``evidence`` text.
hop (one step of a warm path)
    optional ``strength``, ``kind``, ``source``, ``evidence`` (str or list of str).
job move
    ``person_id``, ``from_company_id``, ``to_company_id``; optional ``on`` (date),
    ``from_title``, ``to_title``, ``type`` (``move`` | ``role_change``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

import networkx as nx

from graph_service.errors import InvalidInput, Problem

LAYER_LEVELS = {"decision_maker": 1, "executor": 2, "user_influencer": 3, "unknown": 4}
TEAM_LEVEL = 5
MAX_EVIDENCE_LINES = 12
MAX_EDGE_LABEL = 40


def _field(record: Any, name: str, default: Any = None) -> Any:
    if isinstance(record, Mapping):
        value = record.get(name, default)
    else:
        value = getattr(record, name, default)
    return default if value is None else value


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(getattr(value, "value", value))


def person_node(person: Any) -> tuple[str, dict[str, Any]]:
    """The view node of a person record."""
    pid = _text(_field(person, "id"))
    if not pid:
        raise InvalidInput(Problem("person.id", "missing"))
    attrs: dict[str, Any] = {
        "label": _text(_field(person, "name", pid)) or pid,
        "kind": "person",
        "ref": pid,
        "internal": bool(_field(person, "internal", False)),
        "layer": _text(_field(person, "layer")) or None,
        "influence": _field(person, "influence"),
        "title": _text(_field(person, "title")),
        "company": _text(_field(person, "company")),
    }
    return f"p:{pid}", attrs


def company_node(company: Any) -> tuple[str, dict[str, Any]]:
    """The view node of a company record."""
    cid = _text(_field(company, "id"))
    if not cid:
        raise InvalidInput(Problem("company.id", "missing"))
    attrs: dict[str, Any] = {
        "label": _text(_field(company, "name", cid)) or cid,
        "kind": "company",
        "ref": cid,
        "status": _text(_field(company, "status")) or "other",
        "influence": _field(company, "influence"),
    }
    return f"c:{cid}", attrs


def tie_evidence(tie: Any) -> str:
    """Plain-text evidence of a tie or hop: how it arose, how strong, since when, from which source."""
    given = _field(tie, "evidence")
    if given:
        return "\n".join(_text(line) for line in given) if isinstance(given, (list, tuple)) else _text(given)
    parts = []
    kind = _text(_field(tie, "kind"))
    parts.append(f"{kind} tie" if kind else "tie")
    strength = _field(tie, "strength")
    if strength is not None:
        parts.append(f"strength {float(strength):.2f}")
    since = _field(tie, "since")
    if since:
        parts.append(f"since {_text(since)}")
    source = _text(_field(tie, "source"))
    if source:
        parts.append(f"source: {source.replace('_', ' ')}")
    text = ", ".join(parts)
    notes = _text(_field(tie, "notes"))
    return f"{text}\n{notes}" if notes else text


def _short(text: str, limit: int = MAX_EDGE_LABEL) -> str:
    first = text.splitlines()[0] if text else ""
    return first if len(first) <= limit else first[: limit - 1] + "…"


def _strength(record: Any) -> float | None:
    value = _field(record, "strength")
    return None if value is None else float(value)


def path_view(paths: Sequence[Mapping[str, Any]], *, target: Any = None, title: str = "Warm paths") -> nx.DiGraph:
    """Warm paths from our team to a person or company, each hop labelled with its evidence.

    Parameters
    ----------
    paths
        Best first. Each ``{"persons": [person, ...], "hops": [hop, ...], "score": float?}``
        with ``len(hops) == len(persons) - 1``: ``hops[i]`` joins ``persons[i]``
        and ``persons[i + 1]``. The first person is on our team; the last is
        the target person, or someone at the target company.
    target
        A company record when the paths lead into a company: it is drawn and
        joined to each path's last person.

    Returns
    -------
    A DiGraph; a hop shared by several paths is drawn once and lists them all.
    """
    G = nx.DiGraph(view="paths", title=title, params={})
    target_id = None
    if target is not None:
        target_id, attrs = company_node(target)
        G.add_node(target_id, **attrs, role="target")
    for number, path in enumerate(paths, start=1):
        persons = list(_field(path, "persons", []))
        hops = list(_field(path, "hops", []))
        if len(persons) < 2 or len(hops) != len(persons) - 1:
            raise InvalidInput(Problem(f"paths[{number - 1}]", "needs n >= 2 persons and n - 1 hops"))
        ids = []
        for index, person in enumerate(persons):
            node_id, attrs = person_node(person)
            ids.append(node_id)
            if node_id not in G:
                G.add_node(node_id, **attrs)
            if index == 0:
                G.nodes[node_id]["role"] = "start"
            elif index == len(persons) - 1 and target_id is None:
                G.nodes[node_id]["role"] = "target"
        for (u, v), hop in zip(zip(ids, ids[1:]), hops):
            if G.has_edge(u, v):
                G.edges[u, v]["paths"] += f", {number}"
                continue
            evidence = tie_evidence(hop)
            G.add_edge(u, v, kind="tie", hop=True, strength=_strength(hop), evidence=evidence,
                       label=_short(evidence), paths=str(number))
        if target_id is not None and not G.has_edge(ids[-1], target_id):
            last = G.nodes[ids[-1]]
            G.add_edge(ids[-1], target_id, kind="employment", evidence=last.get("title") or "works here")
    for _, _, attrs in G.edges(data=True):
        if attrs.get("hop"):
            attrs["evidence"] = f"{attrs['evidence']}\non path {attrs.pop('paths')}"
    G.graph["subtitle"] = f"{len(paths)} path{'s' if len(paths) != 1 else ''}"
    return G


def network_view(
    center: str,
    *,
    persons: Mapping[str, Any],
    ties: Iterable[Any],
    depth: int = 1,
    cap: int = 30,
    degrees: Mapping[str, int] | None = None,
    title: str | None = None,
) -> nx.Graph:
    """A person's network to depth 1 or 2, at most ``cap`` neighbours per hub plus an "N more" node.

    Parameters
    ----------
    center
        The person id in the middle.
    persons
        Person records by id, for every id the ties mention (missing ones draw with their id).
    ties
        The ties around the center (to depth ``depth``); strongest are drawn first.
        It may already be truncated by the caller: pass ``degrees``.
    depth
        1 or 2: hubs expanded are the center (depth 1) and its drawn neighbours (depth 2).
    cap
        Most neighbours drawn per hub; the rest become one summary node "N more".
    degrees
        Total tie count of a hub when ``ties`` holds only part of them.

    Notes
    -----
    All ties among drawn persons are drawn, so a hub can show more than ``cap``
    edges when its other neighbours were drawn through another hub. A summary
    node's ``hidden_count`` is the hub's degree minus its neighbours drawn.
    """
    if depth not in (1, 2):
        raise InvalidInput(Problem("depth", "must be 1 or 2"))
    if cap < 1:
        raise InvalidInput(Problem("cap", "must be at least 1"))
    adjacent: dict[str, list[tuple[str, Any]]] = defaultdict(list)
    for tie in ties:
        a, b = _text(_field(tie, "a")), _text(_field(tie, "b"))
        adjacent[a].append((b, tie))
        adjacent[b].append((a, tie))
    for neighbours in adjacent.values():
        neighbours.sort(key=lambda pair: (-(_strength(pair[1]) or 0.0), pair[0]))

    drawn = {center}
    hubs = []
    frontier = [center]
    for _ in range(depth):
        next_frontier = []
        for hub in frontier:
            hubs.append(hub)
            shown = sum(1 for other, _ in adjacent[hub] if other in drawn)
            for other, _ in adjacent[hub]:
                if shown >= cap:
                    break
                if other not in drawn:
                    drawn.add(other)
                    next_frontier.append(other)
                    shown += 1
        frontier = next_frontier

    G = nx.Graph(view="network", params={"depth": depth, "cap": cap})
    for pid in [center, *sorted(drawn - {center})]:
        node_id, attrs = person_node(persons.get(pid) or {"id": pid})
        G.add_node(node_id, **attrs)
    center_node = f"p:{center}"
    G.nodes[center_node]["role"] = "center"
    for pid in drawn:
        for other, tie in adjacent[pid]:
            if other in drawn and pid < other:
                G.add_edge(f"p:{pid}", f"p:{other}", kind="tie", strength=_strength(tie), evidence=tie_evidence(tie))
    for hub in hubs:
        total = (degrees or {}).get(hub, len(adjacent[hub]))
        hidden = total - sum(1 for other, _ in adjacent[hub] if other in drawn)
        if hidden > 0:
            summary = f"more:{hub}"
            hub_name = G.nodes[f"p:{hub}"]["label"]
            G.add_node(summary, label=f"{hidden} more", kind="summary", ref=hub, hidden_count=hidden,
                       tooltip=f"{hidden} more ties of {hub_name} are not drawn")
            G.add_edge(f"p:{hub}", summary, kind="summary", evidence=f"{hidden} ties not drawn")
    G.graph["title"] = title or f"Network of {G.nodes[center_node]['label']}"
    G.graph["subtitle"] = f"depth {depth}, up to {cap} ties per person"
    return G


def account_view(account_map: Mapping[str, Any], *, title: str | None = None) -> nx.Graph:
    """An account map: the company's people by decision layer, our team's ties drawn in.

    Parameters
    ----------
    account_map
        ``{"company": company, "people": [person, ...], "team": [person, ...], "ties": [tie, ...]}``:
        ``people`` work at the company (with ``layer``, ``title``, ``influence``),
        ``team`` are our persons with ties into the account, ``ties`` join any
        two of them (team-to-account ties are our coverage; account-internal ties
        are drawn too).

    Returns
    -------
    A Graph drawn top-down (``hierarchical``): the company, then decision-makers,
    executors, users/influencers, unknown layer, and our team at the bottom.
    """
    company = _field(account_map, "company")
    if company is None:
        raise InvalidInput(Problem("company", "missing"))
    company_id, company_attrs = company_node(company)
    G = nx.Graph(view="account", hierarchical=True, params={})
    G.add_node(company_id, **company_attrs, level=0, role="target")
    for person in _field(account_map, "people", []):
        node_id, attrs = person_node(person)
        attrs["internal"] = False
        attrs["company"] = attrs["company"] or company_attrs["label"]
        attrs["level"] = LAYER_LEVELS.get(attrs["layer"] or "unknown", LAYER_LEVELS["unknown"])
        G.add_node(node_id, **attrs)
        G.add_edge(company_id, node_id, kind="employment", evidence=attrs["title"] or "works here")
    for person in _field(account_map, "team", []):
        node_id, attrs = person_node(person)
        if node_id in G:
            continue
        attrs.update(internal=True, level=TEAM_LEVEL)
        G.add_node(node_id, **attrs)
    for tie in _field(account_map, "ties", []):
        u, v = f"p:{_text(_field(tie, 'a'))}", f"p:{_text(_field(tie, 'b'))}"
        if u in G and v in G and u != v:
            G.add_edge(u, v, kind="tie", strength=_strength(tie), evidence=tie_evidence(tie))
    people = sum(1 for _, attrs in G.nodes(data=True) if attrs["kind"] == "person" and not attrs["internal"])
    covered = sum(
        1
        for node, attrs in G.nodes(data=True)
        if attrs["kind"] == "person" and not attrs["internal"]
        and any(G.nodes[other].get("internal") for other in G.neighbors(node))
    )
    G.graph["title"] = title or f"Account map: {company_attrs['label']}"
    G.graph["subtitle"] = f"{people} people, {covered} reached by our team"
    return G


def _in_period(on: Any, since: date | None, until: date | None) -> bool:
    if since is None and until is None:
        return True
    if not isinstance(on, date):
        return False
    day = on.date() if isinstance(on, datetime) else on
    return (since is None or day >= since) and (until is None or day <= until)


def talent_flow_view(
    moves: Iterable[Any],
    *,
    companies: Mapping[str, Any] | None = None,
    persons: Mapping[str, Any] | None = None,
    since: date | None = None,
    until: date | None = None,
    min_moves: int = 1,
    title: str = "Talent flow",
) -> nx.DiGraph:
    """Companies as nodes, job moves between them as weighted arrows over a period.

    Parameters
    ----------
    moves
        Job moves; role changes inside one company are left out.
    companies, persons
        Records by id for names and status (missing ones draw with their id).
    since, until
        Inclusive period on the move date; when either is given, moves with an
        unknown date are left out.
    min_moves
        Arrows carrying fewer moves are left out (with companies left alone).

    Returns
    -------
    A DiGraph: edge ``weight`` = number of moves, ``evidence`` lists who moved;
    node ``influence`` = the company's share of the busiest company's moves.
    """
    companies = companies or {}
    persons = persons or {}
    flows: dict[tuple[str, str], list[Any]] = defaultdict(list)
    for move in moves:
        a, b = _text(_field(move, "from_company_id")), _text(_field(move, "to_company_id"))
        if a == b or _text(_field(move, "type", "move")) == "role_change":
            continue
        if _in_period(_field(move, "on"), since, until):
            flows[(a, b)].append(move)
    flows = {pair: found for pair, found in flows.items() if len(found) >= min_moves}

    G = nx.DiGraph(view="talent_flow", params={
        "since": since.isoformat() if since else None,
        "until": until.isoformat() if until else None,
        "min_moves": min_moves,
    })
    traffic: dict[str, int] = defaultdict(int)
    for (a, b), found in sorted(flows.items()):
        for cid in (a, b):
            traffic[cid] += len(found)
            if f"c:{cid}" not in G:
                node_id, attrs = company_node(companies.get(cid) or {"id": cid})
                G.add_node(node_id, **attrs)
        lines = []
        for move in sorted(found, key=lambda m: (_text(_field(m, "on")), _text(_field(m, "person_id")))):
            pid = _text(_field(move, "person_id"))
            name = _text(_field(persons.get(pid) or {}, "name")) or pid
            change = f"{_text(_field(move, 'from_title')) or '?'} → {_text(_field(move, 'to_title')) or '?'}"
            when = _text(_field(move, "on")) or "date unknown"
            lines.append(f"{name}: {change} ({when})")
        if len(lines) > MAX_EVIDENCE_LINES:
            lines = lines[:MAX_EVIDENCE_LINES] + [f"+{len(lines) - MAX_EVIDENCE_LINES} more"]
        count = len(found)
        G.add_edge(f"c:{a}", f"c:{b}", kind="move", weight=count, label=str(count),
                   evidence=f"{count} move{'s' if count != 1 else ''}\n" + "\n".join(lines))
    busiest = max(traffic.values(), default=1)
    for cid, count in traffic.items():
        attrs = G.nodes[f"c:{cid}"]
        attrs["influence"] = round(count / busiest, 3)
        attrs["tooltip"] = f"{G.in_degree(f'c:{cid}', weight='weight')} in, {G.out_degree(f'c:{cid}', weight='weight')} out"
    period = f"{since.isoformat() if since else '…'} to {until.isoformat() if until else '…'}"
    G.graph["title"] = title
    G.graph["subtitle"] = f"{sum(len(found) for found in flows.values())} moves, {period}"
    return G
