"""Warm introduction paths: the best chains of ties from our side to a target, hop-bounded and diverse.

A path runs from a source (someone on our team) over ties to a target (a person,
or one of the people in a company's decision layers). Its cost is the sum over
its hops of the tie's cost (``-log strength``) plus a per-hop penalty, so the
cheapest path is the one with the largest product of tie strengths, discounted
by ``exp(-hop_penalty)`` per hop.

Rules every returned path obeys
-------------------------------
- it is simple and has at most ``max_hops`` hops;
- it starts at a source and ends at a target, and no source, target or avoided
  person lies inside it (a chain through a second source is that source's shorter
  chain; a chain through a target has reached a target already);
- every hop's tie has ``strength >= min_strength`` and, with ``newer_than``, its
  newest evidence (edge attribute ``last``) on or after that day.

Order: by cost, then fewer hops, then the node ids along the path
(lexicographically): a total order, so results never depend on the order in
which edges were added. Costs are integers (micro-nats, see :func:`cost_of`), so
sums are exact and the order is the same however a path's cost was summed.

Diversity (default): the *first introducer* of a path is its second person, the
one a source asks first; a direct tie has none. The k paths returned are then
chosen greedily in the order above, skipping any path whose first introducer an
earlier one already uses, so no single person stands behind every suggestion.

The search
----------
1. Backward from the targets, hop by hop (Bellman-Ford by levels, only through
   allowed persons and ties), each person gets the best *label* ``(cost, hops,
   rest)`` it can complete to a target within ``h`` hops. A first hop's *head* is
   its label within ``max_hops - 1`` hops.
2. With diversity, the k paths are the k best of the direct ties and of each first
   hop's tie plus its head (see ``best_per_introducer``). The levels run under a
   bound, the k-th cheapest of those candidates found so far: a label that cannot
   lie on a path within it is dropped. The last two hops come from whichever side
   walks fewer edges: the targets' (one more level, then the first hops found
   among the frontier's neighbours by intersecting each source's ties with them),
   or the sources' (the cheapest first hops on, each one's neighbours completed by
   one relaxation of the last level, on demand). Without k candidates the bound is
   infinite and nothing is cut.
3. Without diversity, and for ``best_introducers``, every label, unbounded: levels
   up to ``max_hops - 2`` hops, and the heads relaxed from whichever side is
   cheaper, the last level's frontier or the first hops' own neighbours. Without
   diversity, then, a best-first enumeration of simple partial paths from the sources, keyed by ``prefix + best
   completion``: a label is the best *walk* to a target, a lower bound on every
   simple completion in the total order, so complete paths leave the queue exactly
   in that order (A* with an exact walk heuristic).

References
----------
J. Y. Yen, "Finding the k shortest loopless paths in a network", Management
Science 17 (1971): the k-best simple paths problem solved here with a bound.
P. E. Hart, N. J. Nilsson and B. Raphael, "A formal basis for the heuristic
determination of minimum cost paths", IEEE Trans. SSC 4 (1968).
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Collection, Hashable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import networkx as nx

COST_SCALE = 1_000_000
"""Costs are integers in micro-nats: ``cost = round(-log(strength) * COST_SCALE)``."""

Node = Hashable
Label = tuple[int, int, tuple[Any, ...]]
"""``(cost, hops, rest)``: the best completion of a person to a target; ``rest`` excludes the person."""


def cost_of(strength: float) -> int:
    """The cost of a tie of this strength in (0, 1]: ``round(-log(strength) * COST_SCALE)``."""
    if not 0.0 < strength <= 1.0:
        raise ValueError(f"strength must be in (0, 1], got {strength!r}")
    return round(-math.log(strength) * COST_SCALE)


@dataclass(frozen=True, slots=True)
class Hop:
    """One tie of a path, walked from ``source`` to ``target``."""

    source: Any
    target: Any
    strength: float
    cost: int
    """The tie's cost plus the hop penalty."""


@dataclass(frozen=True, slots=True)
class WarmPath:
    """A chain of ties; ``score = exp(-cost / COST_SCALE)``, ``strength`` the product of the ties' strengths."""

    nodes: tuple[Any, ...]
    hops: tuple[Hop, ...]
    cost: int
    score: float
    strength: float

    @property
    def introducer(self) -> Any:
        """The first person the source asks; None for a direct tie."""
        return self.nodes[1] if len(self.nodes) > 2 else None


@dataclass(frozen=True, slots=True)
class Introducer:
    """A first hop: the best path through it and how many targets it opens paths to."""

    id: Any
    path: WarmPath
    targets: int


@dataclass(frozen=True, slots=True)
class Member:
    """A source: its best path, the targets it reaches, and through how many first introducers."""

    id: Any
    path: WarmPath
    targets: int
    introducers: int


@dataclass(frozen=True, slots=True)
class Introductions:
    members: list[Member]
    introducers: list[Introducer]


EdgeCost = Callable[[Mapping[str, Any]], "int | None"]
Entry = tuple[int, int, tuple[Any, ...], tuple[Any, ...], int, bool]
"""A queue entry: ``(bound cost, bound hops, bound nodes, prefix, prefix cost, complete)``."""


def warm_paths(
    G: nx.Graph,
    sources: Iterable[Node],
    targets: Iterable[Node],
    *,
    k: int = 3,
    max_hops: int = 4,
    min_strength: float = 0.0,
    avoid: Collection[Node] = (),
    newer_than: date | None = None,
    hop_penalty: float = 0.1,
    diverse: bool = True,
    weight: str = "cost",
) -> list[WarmPath]:
    """The ``k`` best warm paths from any source to any target.

    Parameters
    ----------
    G : networkx.Graph
        Undirected; edges carry ``weight`` (integer cost, see :func:`cost_of`),
        ``strength`` in (0, 1], and, for ``newer_than``, ``last`` (a date or None).
        Node ids must be mutually comparable (all str, or all int).
    sources, targets : iterables of nodes
        Sources that are also targets are dropped from the targets.
    k : int
        How many paths, at least 1.
    max_hops : int
        Longest path, in ties, at least 1.
    min_strength : float
        Weaker ties are not walked.
    avoid : collection of nodes
        Persons no path may pass through.
    newer_than : date, optional
        Only ties whose newest evidence is on or after this day.
    hop_penalty : float
        Nats added per hop (``>= 0``): each hop multiplies the score by ``exp(-hop_penalty)``.
    diverse : bool
        No two paths share their first introducer (see the module docstring).
    weight : str
        Edge attribute holding the integer cost.

    Returns
    -------
    list of WarmPath
        Best first, at most ``k``; empty when no path obeys the rules.

    Raises
    ------
    networkx.NodeNotFound
        A source or target is not in ``G``.
    ValueError
        ``k < 1``, ``max_hops < 1`` or ``hop_penalty < 0``.

    Notes
    -----
    The k paths are exactly the first k of all valid simple paths in the order of
    the module docstring (greedily skipping taken introducers when ``diverse``).
    Work is bounded by the persons within ``max_hops - 2`` ties of the targets and
    the neighbours of the sources, not by the size of the graph; with ``diverse``,
    further by the cost of the k-th best path found so far.
    """
    if k < 1:
        raise ValueError("k must be at least 1")
    search = _Search(G, sources, targets, max_hops=max_hops, min_strength=min_strength, avoid=avoid,
                     newer_than=newer_than, hop_penalty=hop_penalty, weight=weight)
    if not search.sources or not search.targets:
        return []
    if diverse:
        return [search.path(nodes, cost) for cost, _, nodes in search.best_per_introducer(k)]
    search.expand()
    found: list[tuple[tuple[Any, ...], int]] = []
    heap = search.first_hops()
    heapq.heapify(heap)
    while heap and len(found) < k:
        _, _, _, prefix, cost, done = heapq.heappop(heap)
        if done:
            found.append((prefix, cost))
        else:
            for item in search.extend(prefix, cost):
                heapq.heappush(heap, item)
    return [search.path(nodes, cost) for nodes, cost in found]


def best_introducers(
    G: nx.Graph,
    sources: Iterable[Node],
    targets: Iterable[Node],
    *,
    max_hops: int = 4,
    min_strength: float = 0.0,
    avoid: Collection[Node] = (),
    newer_than: date | None = None,
    hop_penalty: float = 0.1,
    weight: str = "cost",
    limit: int | None = None,
) -> Introductions:
    """Who on our side, and which first hops, open the most and the best paths to the targets.

    Parameters
    ----------
    G, sources, targets, max_hops, min_strength, avoid, newer_than, hop_penalty, weight
        As for :func:`warm_paths`; the same rules hold.
    limit : int, optional
        Keep only the first ``limit`` of each ranking.

    Returns
    -------
    Introductions
        ``members``: each source with a path, and ``introducers``: each first hop
        with a path, both ranked by the number of targets reached (more first),
        then by their best path in the order of :func:`warm_paths`. A member's
        ``introducers`` counts the first hops it opens paths through.

    Notes
    -----
    A first hop's best path is exact: its best walk onward avoids every source and
    repeats no one (a repeat would make a cheaper walk). Reach counts use the same
    levels without costs, as bit sets of targets.
    """
    search = _Search(G, sources, targets, max_hops=max_hops, min_strength=min_strength, avoid=avoid,
                     newer_than=newer_than, hop_penalty=hop_penalty, weight=weight)
    if not search.sources or not search.targets:
        return Introductions([], [])
    search.expand()
    bit = {t: 1 << i for i, t in enumerate(sorted(search.targets))}
    reach = search.reach(bit)
    best: dict[Node, Label] = {}  # source -> its best (cost, hops, nodes)
    opened: dict[Node, tuple[int, int]] = {s: (0, 0) for s in search.sources}  # source -> (targets, introducers)
    introducers = []
    for x, options in search.firsts.items():
        if x in search.targets:
            for s, c in options:
                mask, count = opened[s]
                opened[s] = (mask | bit[x], count)
                _keep_best(best, s, (c, 1, (s, x)))
            continue
        label = search.heads.get(x)
        if label is None:
            continue
        c, s = min((c, s) for s, c in options)
        introducers.append((-reach[x].bit_count(), c + label[0], label[1] + 1, (s, x, *label[2])))
        for s, c in options:
            mask, count = opened[s]
            opened[s] = (mask | reach[x], count + 1)
            _keep_best(best, s, (c + label[0], label[1] + 1, (s, x, *label[2])))
    introducers.sort()
    members = sorted((-opened[s][0].bit_count(), *best[s], s) for s in best)
    introducers = introducers[:limit]
    members = members[:limit]
    return Introductions(
        members=[Member(s, search.path(nodes, cost), -n, opened[s][1]) for n, cost, _, nodes, s in members],
        introducers=[Introducer(nodes[1], search.path(nodes, cost), -n) for n, cost, _, nodes in introducers],
    )


def _keep_best(best: dict[Node, Any], key: Node, label: Label) -> None:
    known = best.get(key)
    if known is None or label < known:
        best[key] = label


class _Search:
    """One query: its rules, the backward labels, and the moves the forward enumeration may make."""

    def __init__(self, G: nx.Graph, sources: Iterable[Node], targets: Iterable[Node], *, max_hops: int,
                 min_strength: float, avoid: Collection[Node], newer_than: date | None, hop_penalty: float,
                 weight: str) -> None:
        if max_hops < 1:
            raise ValueError("max_hops must be at least 1")
        if hop_penalty < 0:
            raise ValueError("hop_penalty must not be negative")
        self.sources = frozenset(sources)
        self.targets = frozenset(targets) - self.sources
        for node in self.sources | self.targets:
            if node not in G:
                raise nx.NodeNotFound(f"node {node!r} is not in the graph")
        self.adj = G._adj
        self.max_hops = max_hops
        self.blocked = self.sources | self.targets | frozenset(avoid)
        self.weight = weight
        self.penalty = round(hop_penalty * COST_SCALE)
        self.cost = _edge_cost(weight, min_strength, newer_than, self.penalty, G.graph.get("edge_type", dict))
        self.best: dict[Node, Label] = {}

    def expand(self) -> None:
        """Every label, head and first hop, unbounded: for enumerations that need them all."""
        self.levels = self._levels(self.max_hops - 2)
        self.heads = self._heads()
        self.firsts = self._firsts()

    def _levels(self, depth: int) -> list[dict[Node, Label]]:
        """``levels[h]``: persons whose best completion within ``h`` hops improved at ``h``, with it.

        Also fills ``self.best``: every person's best completion within ``depth`` hops.
        """
        level: dict[Node, Label] = {t: (0, 0, ()) for t in self.targets}
        levels = [level]
        best = self.best
        best.update(level)
        for _ in range(depth):
            improved = self._relax(level, best, math.inf)
            if not improved:
                break  # a fixpoint: no longer completions can be better
            levels.append(improved)
            level = improved
        return levels

    def _relax(self, level: Mapping[Node, Label], known: dict[Node, Label], limit: float) -> dict[Node, Label]:
        """One Bellman-Ford level: the allowed neighbours of ``level`` whose completion through it beats what
        ``known`` holds (updated) and costs at most ``limit``; nodes whose children cannot stay within it are skipped."""
        adj, blocked, cost, step = self.adj, self.blocked, self.cost, self.penalty
        improved: dict[Node, Label] = {}
        for y, (c, n, rest) in level.items():
            if c + step > limit:
                continue
            tail = None
            for v, data in adj[y].items():
                if v in blocked:
                    continue
                w = cost(data)
                if w is None or c + w > limit:
                    continue
                if tail is None:
                    tail = (y, *rest)
                label = (c + w, n + 1, tail)
                old = known.get(v)
                if old is None or label < old:
                    known[v] = improved[v] = label
        return improved

    def label(self, node: Node, hops: int) -> Label | None:
        """The best completion of ``node`` within ``hops <= max_hops - 2`` hops."""
        if hops >= len(self.levels) - 1:
            return self.best.get(node)
        for h in range(hops, -1, -1):
            found = self.levels[h].get(node)
            if found is not None:
                return found
        return None

    def _heads(self) -> dict[Node, Label]:
        """Best completions within ``max_hops - 1`` hops of the sources' allowed neighbours (not targets).

        One Bellman-Ford level past ``self.levels``, relaxed from the last level's
        frontier or from those neighbours' own edges, whichever side has fewer.
        """
        if self.max_hops < 2:
            return {}
        adj, best, cost = self.adj, self.best, self.cost
        near = set().union(*(adj[s] for s in self.sources))  # at C speed: thousands for a team of 20
        near.difference_update(self.blocked)
        heads = {x: best[x] for x in best.keys() & near}
        frontier = self.levels[-1] if len(self.levels) == self.max_hops - 1 else {}
        if not frontier:
            return heads
        if len(frontier) < len(near):
            for y, (c, n, rest) in frontier.items():
                tail = (y, *rest)
                around = adj[y]
                for x in near.intersection(around):  # the scan at C speed, Python only for the hits
                    w = cost(around[x])
                    if w is not None:
                        label = (c + w, n + 1, tail)
                        known = heads.get(x)
                        if known is None or label < known:
                            heads[x] = label
        else:
            for x in near:
                for y, data in adj[x].items():
                    label = best.get(y)
                    if label is not None:
                        w = cost(data)
                        if w is not None:
                            _keep_best(heads, x, (label[0] + w, label[1] + 1, (y, *label[2])))
        return heads

    def _firsts(self) -> dict[Node, list[tuple[Node, int]]]:
        """The first hops that lead somewhere (targets, and persons with a head), with ``(source, cost)``
        for each source they are reached from."""
        found: dict[Node, list[tuple[Node, int]]] = {}
        heads, targets, cost = self.heads.keys(), self.targets, self.cost
        for s in self.sources:
            around = self.adj[s]
            for x in (around.keys() & heads) | (around.keys() & targets):  # at C speed over the smaller side
                w = cost(around[x])
                if w is not None:
                    found.setdefault(x, []).append((s, w))
        return found

    side: str | None = None
    """Force the last stage of :meth:`best_per_introducer` (``"targets"`` or ``"sources"``); None: the cheaper."""

    def best_per_introducer(self, k: int) -> list[Label]:
        """The ``k`` best of: every direct path, and for each first introducer its best path.

        A first introducer's best path is its cheapest source's tie plus its head:
        the head is the best walk onward, which repeats no one (a repeat would make a
        cheaper walk) and avoids every source, so the path is simple and optimal.

        The search
        ----------
        The levels of :meth:`expand` up to ``max_hops - 3`` hops from the targets. The
        last two hops, from the side whose work is smaller:

        - *targets*: one more level, then one relaxation of its frontier onto the
          first hops (found by intersecting each source's ties with the frontier's
          neighbours, at C speed over the smaller side, never the whole team's
          neighbourhood);
        - *sources*: every first hop's cost, then from the cheapest first hops on,
          each one's best walk through its neighbours, whose completions within
          ``max_hops - 2`` hops are one relaxation of the last level, taken on demand.

        The bound
        ---------
        All along, a bound: the ``k``-th cheapest of the candidates found so far
        (direct ties, and each introducer's path through its best walk yet), a
        candidate per introducer. Every hop costs at least the penalty, so a label
        of cost ``c`` lies on no path cheaper than ``c + penalty``; dearer labels are
        dropped, a node is relaxed only while its children can stay within the
        bound, and a first hop of cost ``w`` only while ``w + penalty`` can.

        Why the answer is unchanged: a kept label is some allowed walk, so no
        candidate is ever cheaper than its true best; whatever the bound cut lies on
        no path within it. By induction on the hops, every label whose best walk lies
        on a path within the final bound is computed exactly (each suffix of that
        walk lies on the same path), so every candidate within the final bound is
        exact. At least ``k`` candidates lie within it (the ones that set it, each an
        upper bound of its true best), so the ``k`` best all do, each exact; the
        candidates beyond it are discarded. Without ``k`` candidates the bound stays
        infinite and nothing is cut: the plain levels of :meth:`expand`.
        """
        adj, cost, sources = self.adj, self.cost, self.sources
        targets = set(self.targets)
        step = self.penalty  # every hop costs at least this, a first hop included
        direct: list[tuple[int, int, Node, Node]] = []
        for s in sources:
            around = adj[s]
            for t in around.keys() & targets:
                w = cost(around[t])
                if w is not None:
                    direct.append((w, 1, s, t))
        firsts: dict[Node, tuple[int, Node]] = {}  # person -> (cost, source) of its cheapest first hop
        looked: set[Node] = set()
        heads: dict[Node, Label] = {}  # first hop -> its best completion found yet

        def look_up(nodes: set[Node], last: bool = False) -> None:
            nodes.difference_update(looked)
            if not last:
                looked.update(nodes)
            for s in sources:
                around = adj[s]
                for x in around.keys() & nodes:
                    w = cost(around[x])
                    if w is not None:
                        known = firsts.get(x)
                        if known is None or (w, s) < known:
                            firsts[x] = (w, s)

        def kth() -> float:
            costs = [c for c, _, _, _ in direct]
            costs += [firsts[x][0] + label[0] for x, label in heads.items()]
            return max(heapq.nsmallest(k, costs)) if len(costs) >= k else math.inf

        best: dict[Node, Label] = {t: (0, 0, ()) for t in targets}
        level = dict(best)
        forward = False
        for depth in range(1, self.max_hops - 1):
            bound = kth()
            if depth == self.max_hops - 2:
                forward = self._forward_is_cheaper(level, bound)
                if forward:
                    break
            # the dearest label that can still lie on a path within the bound
            improved = self._relax(level, best, bound - step)
            level = improved
            if not improved:
                break  # a fixpoint: no longer completions can be better
            look_up(set(improved))
            for x in improved.keys() & firsts.keys():
                heads[x] = improved[x]
        if forward:
            self._from_sources(level, best, firsts, heads, kth)
        elif self.max_hops >= 2 and level:
            bound = kth()
            reached = self._relax(level, {}, bound - step)  # the last level; a first hop costs at least the penalty
            look_up(set(reached), last=True)
            for x in reached.keys() & firsts.keys():
                label = reached[x]
                if firsts[x][0] + label[0] <= bound:
                    known = heads.get(x)
                    if known is None or label < known:
                        heads[x] = label
        bound = kth()
        candidates = [(w, 1, s, t) for w, _, s, t in direct if w <= bound]
        for x, (c, n, _) in heads.items():
            w, s = firsts[x]
            if w + c <= bound:
                candidates.append((w + c, n + 1, s, x))
        if not candidates:
            return []
        cut = max(heapq.nsmallest(k, (c[:2] for c in candidates)))
        return sorted((c, n, (s, x) if x in targets else (s, x, *heads[x][2]))
                      for c, n, s, x in candidates if (c, n) <= cut)[:k]

    def _forward_is_cheaper(self, level: Mapping[Node, Label], bound: float) -> bool:
        """Whether to take the last two hops from the sources: only under a bound (without one, every
        first hop would be walked on), and when the last level would walk more edges than the sources
        have ties, three times over (each first hop below the bound walks its own edges as well)."""
        if self.side is not None:
            return self.side == "sources"
        if bound == math.inf:
            return False
        adj, reach = self.adj, bound - 2 * self.penalty
        walked = 0
        budget = 3 * sum(len(adj[s]) for s in self.sources)
        for y, label in level.items():
            if label[0] <= reach:
                walked += len(adj[y])
                if walked > budget:
                    return True
        return False

    def _from_sources(self, level: Mapping[Node, Label], best: Mapping[Node, Label],
                      firsts: dict[Node, tuple[int, Node]], heads: dict[Node, Label],
                      kth: Callable[[], float]) -> None:
        """The last two hops from the sources' side (see :meth:`best_per_introducer`): ``level`` holds
        the labels improved at ``max_hops - 3`` hops, ``best`` every label within it."""
        adj, blocked, cost, step = self.adj, self.blocked, self.cost, self.penalty
        for s in self.sources:
            around = adj[s]
            for x in around.keys() - blocked:
                w = cost(around[x])
                if w is not None:
                    known = firsts.get(x)
                    if known is None or (w, s) < known:
                        firsts[x] = (w, s)
        frontier = level.keys()
        completions: dict[Node, Label | None] = {}

        def completion(v: Node, bound: float) -> Label | None:
            """The best completion of ``v`` within ``max_hops - 2`` hops, its labels within the bound."""
            if v in completions:
                return completions[v]
            found = best.get(v)
            around = adj[v]
            for u in around.keys() & frontier:
                c, n, rest = level[u]
                w = cost(around[u])
                if w is None or c + w + step > bound:
                    continue
                label = (c + w, n + 1, (u, *rest))
                if found is None or label < found:
                    found = label
            completions[v] = found
            return found

        bound = kth()
        for w1, x in sorted((w, x) for x, (w, _) in firsts.items() if w + step <= bound):
            if w1 + step > bound:
                break  # every later first hop is at least as dear, and a head costs at least a hop
            head = completion(x, bound)
            around = adj[x]
            for y, data in around.items():
                if y in blocked:
                    continue
                w = cost(data)
                if w is None or w1 + w + step > bound:
                    continue
                label = completion(y, bound)
                if label is None:
                    continue
                label = (w + label[0], label[1] + 1, (y, *label[2]))
                if head is None or label < head:
                    head = label
            if head is not None:
                heads[x] = head
                if w1 + head[0] < bound:
                    bound = kth()

    def first_hops(self) -> list[Entry]:
        """Queue entries for every first hop: complete direct paths and partial paths ``(source, x)``."""
        items: list[Entry] = []
        heads, targets = self.heads, self.targets
        for x, options in self.firsts.items():
            for s, w in options:
                if x in targets:
                    items.append((w, 1, (s, x), (s, x), w, True))
                elif x in heads:
                    c, n, rest = heads[x]
                    items.append((w + c, n + 1, (s, x, *rest), (s, x), w, False))
        return items

    def extend(self, prefix: tuple[Any, ...], cost: int) -> list[Entry]:
        """Queue entries for every allowed one-hop extension of a partial path of cost ``cost``."""
        items: list[Entry] = []
        hops = len(prefix)  # hops of each extension
        left = self.max_hops - hops
        targets, blocked, edge_cost = self.targets, self.blocked, self.cost
        for u, data in self.adj[prefix[-1]].items():
            if u in prefix:
                continue
            if u in targets:
                w = edge_cost(data)
                if w is not None:
                    nodes = (*prefix, u)
                    items.append((cost + w, hops, nodes, nodes, cost + w, True))
            elif u not in blocked and left >= 1:
                label = self.label(u, left)
                if label is not None:
                    w = edge_cost(data)
                    if w is not None:
                        step = (*prefix, u)
                        items.append((cost + w + label[0], hops + label[1], (*step, *label[2]), step, cost + w, False))
        return items

    def reach(self, bit: Mapping[Node, int]) -> dict[Node, int]:
        """For each first hop that is not a target: the bit set of targets it reaches within ``max_hops - 1`` hops."""
        adj, blocked, cost = self.adj, self.blocked, self.cost
        reach = dict(bit)
        frontier = dict(bit)
        for _ in range(self.max_hops - 2):
            grown: dict[Node, int] = {}
            for y, mask in frontier.items():
                for v, data in adj[y].items():
                    if v in blocked or cost(data) is None:
                        continue
                    new = mask & ~reach.get(v, 0)
                    if new:
                        reach[v] = reach.get(v, 0) | new
                        grown[v] = grown.get(v, 0) | new
            frontier = grown
        opened: dict[Node, int] = {}
        for x in self.firsts:
            if x not in self.targets:
                mask = reach.get(x, 0)
                for y, data in adj[x].items():
                    if y in reach and cost(data) is not None:
                        mask |= reach[y]
                opened[x] = mask
        return opened

    def path(self, nodes: tuple[Any, ...], cost: int) -> WarmPath:
        adj, weight = self.adj, self.weight
        hops = tuple(Hop(u, v, adj[u][v]["strength"], adj[u][v][weight] + self.penalty) for u, v in zip(nodes, nodes[1:]))
        return WarmPath(nodes=nodes, hops=hops, cost=cost, score=math.exp(-cost / COST_SCALE),
                        strength=math.prod(h.strength for h in hops))


def _edge_cost(weight: str, min_strength: float, newer_than: date | None, penalty: int, edge_type: type) -> EdgeCost:
    """The cost of walking an edge (its ``weight`` plus ``penalty``), or None when the rules forbid it.

    Edges of a type with a ``cost_plus`` reader (the projection's) are read by it when no rule applies.
    """
    plain = min_strength <= 0 and newer_than is None
    if plain and weight == "cost" and hasattr(edge_type, "cost_plus"):
        return edge_type.cost_plus(penalty)  # type: ignore[no-any-return]
    if plain:
        def cost(data: Mapping[str, Any]) -> int | None:
            return data[weight] + penalty
    else:
        def cost(data: Mapping[str, Any]) -> int | None:
            if data["strength"] < min_strength:
                return None
            if newer_than is not None:
                last = data["last"]
                if last is None or last < newer_than:
                    return None
            return data[weight] + penalty
    return cost
