"""Influence in the relationship graph: who is central, who brokers, who reaches the people who sign.

Pure functions on networkx graphs returning plain data. PageRank and hop-count
betweenness run on a scipy sparse matrix built once per call from the graph, so
they stay fast on graphs of millions of ties; the answers are those of
``nx.pagerank`` and ``nx.betweenness_centrality`` (see tests/test_influence.py).
"""

from __future__ import annotations

import itertools
import multiprocessing
import operator
import random
from collections.abc import Collection, Hashable, Iterable, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import networkx as nx
import numpy as np
import scipy.sparse as sp

from graph_service.model import DecisionLayer

Node = Hashable


@dataclass(frozen=True, eq=False)
class Adjacency:
    """A graph as a sparse matrix: build it once with :func:`adjacency`, rank and measure it many times.

    ``matrix[i, j]`` is the weight of the tie from ``nodes[i]`` to ``nodes[j]``
    (both directions for an undirected graph).
    """

    nodes: list[Node]
    matrix: sp.csr_array
    directed: bool
    weight: str | None

    def __len__(self) -> int:
        return len(self.nodes)

    def __contains__(self, node: object) -> bool:
        return node in self.position

    @cached_property
    def position(self) -> dict[Node, int]:
        return {node: i for i, node in enumerate(self.nodes)}

    @cached_property
    def transposed(self) -> sp.csr_array:
        return self.matrix.T.tocsr() if self.directed else self.matrix

    @cached_property
    def pattern(self) -> sp.csr_array:
        """The 0/1 matrix: who is tied to whom, whatever the weight."""
        ones = self.matrix.copy()
        ones.data = np.ones_like(ones.data)
        return ones


def adjacency(G: nx.Graph, weight: str | None = "strength") -> Adjacency:
    """The sparse matrix of G, weights from the ``weight`` attribute (missing: 1; ``None``: all 1).

    Reading a graph of millions of ties into a matrix costs more than ranking it,
    so callers that rank the same graph repeatedly (a service between two writes)
    build this once and pass it instead of the graph. For a simple undirected
    graph it is read straight from the adjacency dicts, several times faster
    than ``nx.to_scipy_sparse_array``.
    """
    nodes = list(G)
    if G.is_directed() or G.is_multigraph():
        A = nx.to_scipy_sparse_array(G, nodelist=nodes, weight=weight, dtype=float, format="csr")
        return Adjacency(nodes, A, G.is_directed(), weight)
    adj: Mapping[Node, Mapping[Node, Mapping[str, Any]]] = G._adj
    n = len(nodes)
    degree = np.fromiter(map(len, adj.values()), dtype=np.int64, count=n)
    nnz = int(degree.sum())
    index_dtype = np.int32 if nnz < 2**31 else np.int64
    indptr = np.zeros(n + 1, dtype=index_dtype)
    np.cumsum(degree, out=indptr[1:])
    index = {node: i for i, node in enumerate(nodes)}
    neighbours = itertools.chain.from_iterable(adj.values())
    indices = np.fromiter(map(index.__getitem__, neighbours), dtype=index_dtype, count=nnz)
    data = _weights(itertools.chain.from_iterable(nbrs.values() for nbrs in adj.values()), weight, nnz)
    return Adjacency(nodes, sp.csr_array((data, indices, indptr), shape=(n, n)), False, weight)


def patched(graph: Adjacency, G: nx.Graph, pairs: Iterable[tuple[Node, Node]]) -> Adjacency:
    """The matrix of an undirected G from its matrix before some ties changed: what :func:`adjacency` gives.

    ``graph`` was built from G (and perhaps patched) before; since then the ties
    of ``pairs`` may have been added, changed or removed and nodes added, none
    removed. Only those entries are read from G: a changed tie is set in place,
    new ties are inserted at the end of their rows and removed ones squeezed out,
    a few array copies instead of reading millions of ties again. New nodes come
    last, in G's order, as :func:`adjacency` puts them. ``graph`` is left as it was.
    """
    if G.is_directed() or G.is_multigraph():
        raise ValueError("patched: only for a simple undirected graph")
    position = graph.position
    added_nodes = [node for node in G if node not in position]
    if added_nodes:
        position = {**position, **{node: i for i, node in enumerate(added_nodes, start=len(graph))}}
    n, A = len(graph) + len(added_nodes), graph.matrix
    indptr = np.concatenate([A.indptr, np.full(len(added_nodes), A.indptr[-1], dtype=A.indptr.dtype)])
    data, indices = A.data.copy(), A.indices
    inserted: list[tuple[int, int, float]] = []
    removed = False
    adj = G._adj
    for p, q in set(pairs):
        if p not in position or q not in position:
            continue
        tie = adj[p].get(q)
        weight = 0.0 if tie is None else float(_weights([tie], graph.weight, 1)[0])
        for i, j in {(position[p], position[q]), (position[q], position[p])}:
            start = indptr[i]
            at = np.flatnonzero(indices[start:indptr[i + 1]] == j)
            if len(at):
                data[start + at[0]] = weight
                removed |= weight == 0.0
            elif weight:
                inserted.append((i, j, weight))
    if inserted:
        inserted.sort()
        rows = np.array([i for i, _, _ in inserted])
        at = indptr[rows + 1]  # the end of each row
        indices = np.insert(indices, at, [j for _, j, _ in inserted])
        data = np.insert(data, at, [w for _, _, w in inserted])
        indptr = indptr + np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=n))]).astype(indptr.dtype)
    if removed:  # no tie weighs 0: a 0 is a tie gone
        keep = data != 0.0
        indptr = np.concatenate([[0], np.cumsum(keep)]).astype(indptr.dtype)[indptr]
        data, indices = data[keep], indices[keep]
    return Adjacency(graph.nodes + added_nodes, sp.csr_array((data, indices, indptr), shape=(n, n)), False,
                     graph.weight)


def _weights(edges: Iterable[Any], weight: str | None, count: int) -> np.ndarray:
    """The ``weight`` of ``count`` edges (missing: 1; ``None``: all 1); edge types with a ``column`` reader
    (the projection's) give all of them at once."""
    if weight is None or not count:
        return np.ones(count)
    edges = iter(edges)
    first = next(edges)
    everything = itertools.chain((first,), edges)
    column = getattr(type(first), "column", None)
    if column is not None:
        return column(everything, weight)
    if isinstance(first, Mapping):
        return np.fromiter((data.get(weight, 1.0) for data in everything), dtype=float, count=count)
    return np.fromiter(map(operator.attrgetter(weight), everything), dtype=float, count=count)


def subgraph_adjacency(G: nx.Graph, nodes: Iterable[Node], weight: str | None = "strength") -> Adjacency:
    """The matrix of the subgraph of an undirected G induced by ``nodes`` (in that order), without copying G.

    Costs the ties of ``nodes`` only, so an account of thousands of people inside
    a graph of millions is read in milliseconds. Nodes not in G are kept, untied.
    """
    nodes = list(dict.fromkeys(nodes))
    position = {node: i for i, node in enumerate(nodes)}
    rows: list[int] = []
    cols: list[int] = []
    edges: list[Any] = []
    adj = G._adj
    later = set(position)  # each tie is read once, from the first of its two people
    for i, node in enumerate(nodes):
        around = adj.get(node)
        if around:
            tied = later.intersection(around)  # at C speed: most ties of a company's people leave it
            rows.extend(itertools.repeat(i, len(tied)))
            cols.extend(map(position.__getitem__, tied))
            edges.extend(map(around.__getitem__, tied))
        later.discard(node)
    n = len(nodes)
    r, c = np.array(rows, dtype=np.int64), np.array(cols, dtype=np.int64)
    w = _weights(edges, weight, len(edges))
    mirrored = r != c  # a self-loop is one entry
    coordinates = (np.concatenate([r, c[mirrored]]), np.concatenate([c, r[mirrored]]))
    matrix = sp.csr_array((np.concatenate([w, w[mirrored]]), coordinates), shape=(n, n))
    matrix.sort_indices()  # the intersections' order varies between processes; sums must not
    return Adjacency(nodes, matrix, False, weight)


def _prepared(G: nx.Graph | Adjacency, weight: str | None) -> Adjacency:
    if not isinstance(G, Adjacency):
        return adjacency(G, weight)
    if G.weight != weight:
        raise ValueError(f"this adjacency was built with weight={G.weight!r}, not {weight!r}")
    return G


def _pagerank_vector(
    graph: Adjacency,
    *,
    alpha: float,
    p: np.ndarray,
    max_iter: int,
    tol: float,
) -> np.ndarray:
    """Power iteration of PageRank over a weighted adjacency matrix, as ``nx.pagerank`` does it."""
    n = len(graph)
    out = np.asarray(graph.matrix.sum(axis=1)).ravel()
    inv = np.divide(1.0, out, out=np.zeros(n), where=out != 0)
    dangling = out == 0
    AT = graph.transposed
    x = np.full(n, 1.0 / n)
    for _ in range(max_iter):
        last = x
        x = alpha * (AT @ (x * inv) + x[dangling].sum() * p) + (1 - alpha) * p
        if np.abs(x - last).sum() < n * tol:
            return x
    raise nx.PowerIterationFailedConvergence(max_iter)


def weighted_pagerank(
    G: nx.Graph | Adjacency,
    weight: str | None = "strength",
    *,
    alpha: float = 0.85,
    personalization: Mapping[Node, float] | None = None,
    max_iter: int = 100,
    tol: float = 1.0e-6,
) -> dict[Node, float]:
    """PageRank where a walk follows a tie in proportion to its strength.

    Parameters
    ----------
    G : networkx graph or Adjacency
        Undirected ties count in both directions. An :class:`Adjacency` built
        with the same ``weight`` skips reading the graph into a matrix.
    weight : str or None
        Edge attribute used as weight (missing on an edge: 1); ``None`` for unweighted.
    alpha : float
        Damping: the probability of following a tie rather than jumping.
    personalization : mapping, optional
        Where the walk jumps to (and where dangling nodes send it), in proportion
        to the values; uniform when not given. Nodes left out get 0.
    max_iter, tol : int, float
        Stop when the L1 change of the vector drops below ``len(G) * tol``, as
        ``nx.pagerank`` does; raise ``nx.PowerIterationFailedConvergence`` after
        ``max_iter`` iterations.

    Returns
    -------
    dict
        Node -> score; the scores sum to 1.

    Notes
    -----
    The same iteration as ``nx.pagerank`` (its scipy form): the matrix is built
    once from the adjacency dicts, and for an undirected graph the transition is
    applied as ``A @ (x / degree)`` without forming the transition matrix.
    Networkx's stopping rule scales the tolerance with the node count, so on a
    million nodes it stops after a few iterations; pass a smaller ``tol`` for a
    tighter answer there.

    References
    ----------
    .. [1] Page, Brin, Motwani, Winograd. "The PageRank citation ranking: Bringing
       order to the web." Stanford InfoLab, 1999.
    """
    if len(G) == 0:
        return {}
    graph = _prepared(G, weight)
    nodes = graph.nodes
    if personalization is None:
        p = np.full(len(nodes), 1.0 / len(nodes))
    else:
        p = np.array([float(personalization.get(node, 0.0)) for node in nodes])
        if p.sum() <= 0:
            raise nx.NetworkXError("personalization puts no weight on any node of the graph")
        p /= p.sum()
    x = _pagerank_vector(graph, alpha=alpha, p=p, max_iter=max_iter, tol=tol)
    return dict(zip(nodes, x.tolist(), strict=True))


def influence_toward(
    G: nx.Graph | Adjacency,
    seeds: Mapping[Node, float] | Iterable[Node],
    weight: str | None = "strength",
    *,
    alpha: float = 0.85,
    max_iter: int = 100,
    tol: float = 1.0e-6,
) -> dict[Node, float]:
    """Who is best placed to sway the seeds: PageRank personalised at the seeds.

    Parameters
    ----------
    G : networkx graph or Adjacency
    seeds : mapping or iterable of nodes
        The people to sway, e.g. the decision-makers of one account; a mapping
        gives each a weight (e.g. seniority), an iterable weighs them equally.
        Seeds not in G are ignored.
    weight, alpha, max_iter, tol
        As for :func:`weighted_pagerank`.

    Returns
    -------
    dict
        Node -> score (summing to 1), seeds included; rank the others by it.

    Notes
    -----
    The walk restarts at the seeds, so a node scores high when strong, short
    chains of ties connect it with them; on an undirected graph this is
    symmetric influence: reaching the seeds and being reached from them. Raises
    ``nx.NetworkXError`` when no seed is in G.

    References
    ----------
    .. [1] Haveliwala. "Topic-sensitive PageRank." WWW 2002.
    """
    weights = dict(seeds) if isinstance(seeds, Mapping) else dict.fromkeys(seeds, 1.0)
    present = {node: w for node, w in weights.items() if node in G and w > 0}
    if not present:
        raise nx.NetworkXError("none of the seeds is in the graph")
    return weighted_pagerank(G, weight, alpha=alpha, personalization=present, max_iter=max_iter, tol=tol)


@dataclass(frozen=True)
class Standing:
    """A person's weight in their company's decisions, and the two parts it is made of."""

    influence: float
    centrality: float
    seniority: int


def internal_influence(
    G: nx.Graph | Adjacency,
    seniority: Mapping[Node, int],
    weight: str | None = "strength",
    *,
    prior_weight: float = 0.5,
) -> dict[Node, Standing]:
    """Influence inside one company: the seniority of the title combined with centrality among colleagues.

    Parameters
    ----------
    G : networkx graph or Adjacency
        The company's people (every one a node, tied or not) and the ties among
        them, e.g. :func:`subgraph_adjacency` of the whole graph.
    seniority : mapping
        Person -> seniority 0..10 (``graph_service.layers.seniority_of``); missing: 3.
    weight : str or None
        Tie strength attribute for the PageRank walk.
    prior_weight : float
        Share of the seniority prior in the score, in [0, 1].

    Returns
    -------
    dict
        Person -> Standing with ``influence`` and ``centrality`` in [0, 1].

    Notes
    -----
    ::

        centrality(p) = (PR(p) - min PR) / (max PR - min PR)     (0 for all when PR is flat)
        influence(p)  = prior_weight * seniority(p) / 10 + (1 - prior_weight) * centrality(p)

    where PR is :func:`weighted_pagerank` on ``G``. The title says who may sign;
    the internal ties say whose word carries, the "weight of each person, which
    differs by person and over time" of the seed article. Min-max scaling puts
    the most central colleague at 1 and the unconnected at 0 in every company,
    so scores compare across accounts of any size.

    References
    ----------
    .. [1] Page, Brin, Motwani, Winograd. "The PageRank citation ranking: Bringing
       order to the web." Stanford InfoLab, 1999.
    """
    if not 0 <= prior_weight <= 1:
        raise ValueError("prior_weight must be in [0, 1]")
    tied = G.matrix.nnz if isinstance(G, Adjacency) else G.number_of_edges()
    ranks = weighted_pagerank(G, weight) if tied else dict.fromkeys(G.nodes, 0.0)
    low, high = min(ranks.values(), default=0.0), max(ranks.values(), default=0.0)
    spread = high - low if high - low > 1e-12 else 0.0
    standings = {}
    for node, rank in ranks.items():
        level = int(seniority.get(node, 3))
        centrality = (rank - low) / spread if spread else 0.0
        score = prior_weight * level / 10 + (1 - prior_weight) * centrality
        standings[node] = Standing(round(score, 6), round(centrality, 6), level)
    return standings


def _brandes_from(A: sp.csr_array, AT: sp.csr_array, degree: np.ndarray, s: int) -> np.ndarray:
    """Dependencies of every node on shortest paths from ``s`` (hop counts), level by level.

    ``A`` is the 0/1 adjacency matrix (rows: out-neighbours), ``AT`` its transpose.
    A level with few ties is expanded from its own rows; a large one by one
    product with the whole matrix, which costs less than gathering most rows.
    """
    n = A.shape[0]
    sparse_limit = A.nnz // 16
    dist = np.full(n, -1, dtype=np.int32)
    sigma = np.zeros(n)
    dist[s], sigma[s] = 0, 1.0
    levels: list[tuple[np.ndarray, sp.csr_array | None]] = []
    frontier = np.array([s])
    while True:
        rows = A[frontier] if degree[frontier].sum() < sparse_limit else None
        if rows is not None:
            paths = rows.T @ sigma[frontier]
        else:
            x = np.zeros(n)
            x[frontier] = sigma[frontier]
            paths = AT @ x
        levels.append((frontier, rows))
        found = np.flatnonzero((paths > 0) & (dist < 0))
        if found.size == 0:
            break
        dist[found] = len(levels)
        sigma[found] = paths[found]
        frontier = found
    delta = np.zeros(n)
    share = np.zeros(n)
    for (frontier, rows), (children, _) in zip(reversed(levels[:-1]), reversed(levels[1:]), strict=True):
        share[children] = (1.0 + delta[children]) / sigma[children]
        pulled = rows @ share if rows is not None else (A @ share)[frontier]
        delta[frontier] = sigma[frontier] * pulled
        share[children] = 0.0
    delta[s] = 0.0
    return delta


def _dependencies(
    A: sp.csr_array, AT: sp.csr_array, degree: np.ndarray, starts: list[int], workers: int
) -> np.ndarray:
    """The sum of :func:`_brandes_from` over ``starts``, in ``workers`` forked processes when more than one.

    The matrices reach the workers through the fork itself (the initializer's
    arguments are not pickled under "fork"); only the source lists and the
    per-worker sums travel through pipes.
    """
    if workers <= 1 or len(starts) < 2:
        return _sum_from(A, AT, degree, starts)
    context = multiprocessing.get_context("fork")
    shares = [starts[i::workers] for i in range(workers)]
    with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_receive,
                             initargs=(A, AT, degree)) as pool:
        return np.sum(list(pool.map(_sum_received, shares)), axis=0)


_received: tuple[sp.csr_array, sp.csr_array, np.ndarray] | None = None
"""In a forked worker of :func:`_dependencies` only: the matrices it inherited."""


def _receive(A: sp.csr_array, AT: sp.csr_array, degree: np.ndarray) -> None:
    global _received
    _received = (A, AT, degree)


def _sum_received(starts: list[int]) -> np.ndarray:
    assert _received is not None
    return _sum_from(*_received, starts)


def _sum_from(A: sp.csr_array, AT: sp.csr_array, degree: np.ndarray, starts: list[int]) -> np.ndarray:
    raw = np.zeros(A.shape[0])
    for s in starts:
        raw += _brandes_from(A, AT, degree, s)
    return raw


def _rescale(raw: np.ndarray, *, n: int, directed: bool, normalized: bool, sources: np.ndarray | None) -> np.ndarray:
    """Networkx's scaling of betweenness without endpoints, for all or ``k`` sampled sources."""
    pairs_per_source = n - 1
    if pairs_per_source < 2:
        return raw
    correction = 1 if directed else 2
    if sources is None:
        return raw * (1 / (n - 1) / (n - 2) if normalized else 1 / correction)
    k = len(sources)
    if normalized:
        source_scale = 1 / ((k - 1) * (n - 2)) if k > 1 else np.nan
        other_scale = 1 / (k * (n - 2))
    else:
        source_scale = (n - 1) / ((k - 1) * correction) if k > 1 else np.nan
        other_scale = (n - 1) / (k * correction)
    scale = np.full(n, other_scale)
    scale[sources] = source_scale
    return raw * scale


def brokers(
    G: nx.Graph | Adjacency,
    k: int | None = None,
    *,
    seed: int = 42,
    weight: str | None = None,
    normalized: bool = True,
    workers: int = 1,
) -> dict[Node, float]:
    """Betweenness: how much of the shortest-path traffic between others passes through each person.

    Parameters
    ----------
    G : networkx graph or Adjacency
        An Adjacency (any weight) serves hop distances.
    k : int, optional
        Sample this many source nodes (chosen exactly as ``nx.betweenness_centrality``
        chooses them for the same ``seed``) and scale up; all sources when ``None``.
    seed : int
        Seed of the source sample: the same seed gives the same answer.
    weight : str or None
        ``None`` measures distance in hops (every tie is one step). An edge
        attribute name uses it as a distance: ``"cost"`` (``-log strength``) makes a
        chain of strong ties shorter than one weak tie.
    normalized : bool
        Divide by the number of pairs, as networkx does (endpoints excluded).
    workers : int
        Hop distances only: share the sources among this many forked processes
        (POSIX), which read the matrix without copying it. Fork from a
        single-threaded program (a CLI or a job), not from a threaded server.

    Returns
    -------
    dict
        Node -> betweenness, equal to ``nx.betweenness_centrality(G, k, normalized,
        weight, seed=seed)``.

    Notes
    -----
    Hop distances run Brandes' accumulation over a sparse matrix, one breadth-first
    level at a time, which makes sampled betweenness practical on millions of ties.
    Weighted distances need Dijkstra and are delegated to networkx, which is exact
    but pure Python: use them on an account's or a region's subgraph, not on
    everything.

    References
    ----------
    .. [1] Brandes. "A faster algorithm for betweenness centrality." Journal of
       Mathematical Sociology 25(2), 2001.
    .. [2] Brandes, Pich. "Centrality estimation in large networks." International
       Journal of Bifurcation and Chaos 17(7), 2007.
    """
    if k is not None and not 0 < k <= len(G):
        raise ValueError(f"k must be between 1 and {len(G)}")
    if weight is not None:
        if isinstance(G, Adjacency):
            raise TypeError("weighted distances need the networkx graph, not an Adjacency")
        return nx.betweenness_centrality(G, k=k, normalized=normalized, weight=weight, seed=seed)
    graph = G if isinstance(G, Adjacency) else adjacency(G, None)
    nodes, n = graph.nodes, len(graph)
    if k == n:
        k = None
    A, AT = graph.pattern, (graph.pattern.T.tocsr() if graph.directed else graph.pattern)
    degree = np.diff(A.indptr)
    if k is None:
        sources = None
        starts: Iterable[int] = range(n)
    else:
        sources = np.array([graph.position[node] for node in random.Random(seed).sample(nodes, k)], dtype=np.int64)
        starts = sources.tolist()
    raw = _dependencies(A, AT, degree, list(starts), workers)
    scaled = _rescale(raw, n=n, directed=graph.directed, normalized=normalized, sources=sources)
    return dict(zip(nodes, scaled.tolist(), strict=True))


@dataclass(frozen=True)
class IndustryFigure:
    """A person whose ties reach into many other companies, and to the people who sign there."""

    person: Node
    score: float
    companies: int
    decision_makers: int


def industry_figures(
    G: nx.Graph,
    employer_of: Mapping[Node, Collection[Hashable]],
    layer_of: Mapping[tuple[Node, Hashable], DecisionLayer | str],
    weight: str | None = "strength",
    *,
    limit: int | None = None,
) -> list[IndustryFigure]:
    """People best placed to introduce us across an industry, best first.

    Parameters
    ----------
    G : networkx graph
        Persons and ties.
    employer_of : mapping
        Person -> the companies they work at now (people not in it work nowhere known).
    layer_of : mapping
        ``(person, company)`` -> decision layer there (missing: unknown).
    weight : str or None
        Tie strength attribute in (0, 1]; ``None`` counts every tie as 1.
    limit : int, optional
        Return only the best ``limit``.

    Returns
    -------
    list of IndustryFigure
        ``score``, the number of other ``companies`` reached and of their
        ``decision_makers`` tied directly; ties broken by more decision-makers,
        then more companies.

    Notes
    -----
    For person ``v`` and each company ``c`` other than v's own, take v's best
    tie into c, counting a tie to one of c's decision-makers double::

        score(v) = sum over c of  max over u at c tied to v of  w(v, u) * (1 + [u decides at c])

    So every company reached adds up to 2, reached through a strong tie to
    someone who signs: the respected outsider of the seed article, who opens
    doors at many accounts. Breadth across groups is Burt's brokerage [1]_;
    spreading ties over many communities, rather than many ties into one, is
    the idea of the participation coefficient [2]_.

    References
    ----------
    .. [1] Burt. "Structural Holes: The Social Structure of Competition."
       Harvard University Press, 1992.
    .. [2] Guimerà, Amaral. "Functional cartography of complex metabolic
       networks." Nature 433, 2005.
    """
    figures: list[IndustryFigure] = []
    for v, nbrs in G.adjacency():
        own = set(employer_of.get(v, ()))
        best: dict[Hashable, float] = {}
        deciders: set[Node] = set()
        for u, attrs in nbrs.items():
            if u == v:
                continue
            w = float(attrs.get(weight, 1.0)) if weight is not None else 1.0
            for company in employer_of.get(u, ()):
                if company in own:
                    continue
                decides = layer_of.get((u, company)) == DecisionLayer.decision_maker
                if decides:
                    deciders.add(u)
                value = w * (2.0 if decides else 1.0)
                if value > best.get(company, 0.0):
                    best[company] = value
        if best:
            figures.append(IndustryFigure(v, sum(best.values()), len(best), len(deciders)))
    figures.sort(key=lambda f: (-f.score, -f.decision_makers, -f.companies, str(f.person)))
    return figures if limit is None else figures[:limit]
