"""How the SQLite backend answers a search without reading every match.

Rowids hash the cluster (``sqlite_write.cluster_base``), so walking the matches in rowid order
visits clusters in a random order with each cluster's records together. A search reads the
first ``SAMPLE`` matching rows that way (one *block*, cut at a cluster boundary):

- all matches fit in the block: totals, facets and order are exact;
- more match: the block is a fair random sample of the matching clusters, covering a known
  share of the rowid space. The total and the facet counts are estimated from it (rounded
  to two figures, ``total_exact`` / ``facets_exact`` false), like a search engine's
  "about 120,000 results";
- sorted by relevance, the records whose title or authors hold every word of the query
  (the *head*, when there are at most ``HEAD_MAX`` of them) are ranked exactly and come
  first: a reader typing a title finds it on page 1 however many notes also mention the
  words (when the first block's title/author rows show the head is far larger, it is not
  counted: ``HEAD_SURE``). The rest is ranked block by block: first the first block's best,
  then the next block's, so every page is read from the fewest blocks and the order is one
  fixed order, whatever the page (deep pages stay consistent);
- sorted by year or title, the page is read from the index of that order, each row checked
  against the query's words in its key texts (``sql.row_test``), and stops after the page
  (when the estimated match rate makes that cheap; otherwise every match is read and sorted).

Within a block, a cluster is represented by its best row for the sort order: highest score,
or first in year/title order (the record shown is the one that placed the cluster).
"""

from __future__ import annotations

import sqlite3
import threading
from collections import Counter, OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

import orjson

from indexer.backends import sqlite_sql as sql
from indexer.backends.base import FACETS, FacetValue, SearchQuery
from indexer.backends.common import about
from indexer.query import ParsedQuery

SAMPLE = 300
"""Rows per block: the sample behind estimated totals and facet counts."""
EXACT_ROWS = 2000
"""Up to about this many matching records, every match is read: counts are exact."""
SORTED_PROBES = 5000
"""A sorted walk expected to check at most this many rows is always taken; a longer one
only when it is still cheaper than reading every match."""
PROBE_COST = 3
"""A row checked by a sorted walk costs about this many rows read in a block. Measured when
each row was an FTS5 look-up; ``sql.row_test`` made a checked row about 6 times cheaper, but
the value is kept: a lower one would give estimated counts where exact ones are given now."""
HEAD_MAX = 1000
"""A broad search ranks at most this many title-or-author matches exactly, ahead of the rest."""
HEAD_SURE, HEAD_MARGIN = 50, 3
"""A head is taken to exceed ``HEAD_MAX`` without counting when the first block holds at least
``HEAD_SURE`` head rows and they extrapolate to over ``HEAD_MARGIN`` x ``HEAD_MAX``. With at
most ``HEAD_MAX`` head records, the chance of such a sample is below 1e-9 (Chernoff bound on
the sampled count: three times its mean, or 50 from a mean under 17)."""
TOP = sql.ROWID_SPAN - 1
Row = Sequence[Any]  # rid, cid, score, year, title_sort, facet_ids (lists as orjson gives them)


class ResultCache:
    """Recent results by (index file, its write counter, query): Solr's queryResultCache.

    Every write bumps the counter in the same transaction, so a key can never name a stale
    result, also when another process writes the index."""

    def __init__(self, size: int = 256) -> None:
        self.size = size
        self._items: OrderedDict[Any, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Any) -> Any:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: Any, value: Any) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)


@dataclass
class Answer:
    """What a search found: the page as (rowid, score) and the counts."""

    page: list[tuple[int, float]]
    total: int
    total_exact: bool
    facets: dict[str, tuple[FacetValue, ...]]
    facets_exact: bool


def sort_key(sort: str) -> Callable[[Row], tuple[Any, ...]]:
    """The order of rows for ``sort``, the same as the SQL of ``sql.sorted_sql``."""
    if sort == "relevance":
        return lambda r: (-r[2], r[4], r[1], r[0])
    if sort == "year_desc":
        return lambda r: (r[3] is None, -(r[3] or 0), r[4], r[1], r[0])
    if sort == "year_asc":
        return lambda r: (r[3] is None, r[3] or 0, r[4], r[1], r[0])
    return lambda r: (r[4], r[3] is not None, r[3] or 0, r[1], r[0])


def collapse(rows: Sequence[Row], sort: str) -> list[Row]:
    """One row per cluster (its best for ``sort``), in ``sort`` order."""
    seen: set[int] = set()
    out: list[Row] = []
    for r in sorted(rows, key=sort_key(sort)):  # a cluster's first row is its best
        if r[1] not in seen:
            seen.add(r[1])
            out.append(r)
    return out


def fetch_block(
    conn: sqlite3.Connection, block: tuple[str, list[Any]], before: int
) -> tuple[list[Row], int | None]:
    """Matching rows below ``before`` (descending), cut at a cluster boundary, and where the
    next block starts (None: no more matches)."""
    text, params = block
    rows = _rows(conn, text, [*params, before, 0, SAMPLE + 1])
    if len(rows) <= SAMPLE:
        return rows, None
    group = rows[SAMPLE][0] >> sql.MEMBER_BITS
    keep = [r for r in rows if r[0] >> sql.MEMBER_BITS != group]
    if keep:
        return keep, (group + 1) << sql.MEMBER_BITS
    lowest = group << sql.MEMBER_BITS  # one cluster with more matching rows than a block
    return _rows(conn, text, [*params, before, lowest, -1]), lowest


def _rows(conn: sqlite3.Connection, text: str, params: list[Any]) -> list[Row]:
    """The rows of a block query (one JSON value), by rowid descending."""
    rows: list[Row] = orjson.loads(conn.execute(text, params).fetchone()[0])
    rows.sort(key=itemgetter(0), reverse=True)
    return rows


def run(
    conn: sqlite3.Connection,
    query: SearchQuery,
    parsed: ParsedQuery,
    meta: dict[str, float],
    names: Callable[[Counter[str]], dict[str, tuple[str, str]]],
) -> Answer:
    """Answer ``query`` (see the module docstring); ``names`` maps facet value ids."""
    fids = {
        facet: [
            i
            for (i,) in conn.execute(
                f"SELECT fid FROM facet_values WHERE facet = ? AND value IN ({sql.marks(values)})",
                (facet, *values),
            )
        ]
        for facet, values in sql.filter_values(query, parsed).items()
    }
    avglen = {k[7:]: v for k, v in meta.items() if k.startswith("avglen_")}
    p = sql.plan(query, parsed, avglen, fids)
    block = sql.block_sql(p)
    window = query.page * query.size
    offset = window - query.size
    heads = query.sort == "relevance" and sql.head_match(parsed) is not None
    rows, before = fetch_block(conn, sql.block_sql(p, parsed) if heads else block, TOP)
    fetched = list(rows)
    if before is not None and len(rows) / _share(before) <= EXACT_ROWS:
        while before is not None:  # a small result: read it all, count it exactly
            rows, before = fetch_block(conn, block, before)
            fetched.extend(rows)
    ordered = collapse(fetched, query.sort) if query.sort == "relevance" or before is None else []
    if query.sort == "relevance":
        head = title_head(conn, p, parsed, rows, _share(before)) if before is not None else []
        skip = {r[1] for r in head}
        ordered = head + [r for r in ordered if r[1] not in skip]
        while before is not None and len(ordered) < window:
            rows, before = fetch_block(conn, block, before)
            fetched.extend(rows)
            ordered.extend(r for r in collapse(rows, query.sort) if r[1] not in skip)
    elif before is not None:
        rows_all = len(fetched) / _share(before)  # estimated matching records
        probes = window * 1.25 * max(meta.get("docs", 1.0), 1.0) / max(rows_all, 1.0)
        if probes <= SORTED_PROBES or probes * PROBE_COST <= rows_all:
            ordered = sorted_walk(conn, p, query.sort, window)
        else:
            while before is not None:
                rows, before = fetch_block(conn, block, before)
                fetched.extend(rows)
            ordered = collapse(fetched, query.sort)
    exact = before is None
    share = 1.0 if before is None else _share(before)
    clusters = len({r[1] for r in fetched})
    total = clusters if exact else max(about(clusters / share), len(ordered))
    facets = count_facets(fetched, names, query.facet_size, share) if query.facets else {}
    page = [(r[0], float(r[2])) for r in ordered[offset:window]]
    return Answer(page, total, exact, facets, exact)


def title_head(
    conn: sqlite3.Connection, p: sql.Plan, parsed: ParsedQuery, sample: list[Row], share: float
) -> list[Row]:
    """The clusters whose title or authors hold every word of the query, ranked exactly;
    empty when the query has field prefixes or more than ``HEAD_MAX`` records qualify.

    ``sample`` (the first block, rows flagged by ``sql.head_flag``, covering ``share`` of
    the clusters) spares the exact count when it shows far more than ``HEAD_MAX`` (see
    ``HEAD_SURE``): a rare phrase common in titles no longer walks its matches to count."""
    match = sql.head_match(parsed)
    if match is None:
        return []
    flagged = sum(r[6] for r in sample)
    if flagged >= HEAD_SURE and flagged / share > HEAD_MAX * HEAD_MARGIN:
        return []
    text, params = sql.head_sql(p, match, HEAD_MAX)
    found = conn.execute(text, params).fetchone()[0]
    if found is None:
        return []
    return collapse(orjson.loads(found), "relevance")


def _share(before: int) -> float:
    """The share of the rowid space (so of the clusters) read once ``before`` is reached."""
    return (sql.ROWID_SPAN - before) / sql.ROWID_SPAN


def sorted_walk(conn: sqlite3.Connection, p: sql.Plan, sort: str, window: int) -> list[Row]:
    """The first ``window`` clusters in ``sort`` order, read from that order's index."""
    text, params = sql.sorted_sql(p, sort)
    key = sort_key(sort)
    limit = window + window // 4 + 10
    while True:
        found = orjson.loads(conn.execute(text, [*params, limit]).fetchone()[0])
        rows = sorted(
            ((rid, cid, 0.0, year, title, "") for rid, cid, year, title in found), key=key
        )
        seen: set[int] = set()
        out: list[Row] = []
        for r in rows:
            if r[1] not in seen:
                seen.add(r[1])
                out.append(r)
        if len(out) >= window or len(rows) < limit:
            return out
        limit *= 2


def count_facets(
    rows: Sequence[Row],
    names: Callable[[Counter[str]], dict[str, tuple[str, str]]],
    size: int,
    share: float,
) -> dict[str, tuple[FacetValue, ...]]:
    """Facet counts in clusters (a cluster with several matching records counted once per
    value), scaled up by the share of the matches read when that is not all of them."""
    counts = Counter(" ".join([r[5] for r in rows]).split())
    cids = list(map(itemgetter(1), rows))
    if len(set(cids)) < len(cids):
        members = Counter(cids)
        by_cluster: dict[int, list[str]] = {}
        for r in rows:
            if members[r[1]] > 1:
                by_cluster.setdefault(r[1], []).extend(r[5].split())
        for values in by_cluster.values():  # a cluster counts once per value
            counts.subtract(values)
            counts.update(set(values))
    fid_names = names(counts)
    grouped: dict[str, list[tuple[int, str]]] = {f: [] for f in FACETS}
    shown: dict[int, int] = {}  # count -> the count shown (most counts are small and repeat)
    for fid, n in counts.items():
        facet, value = fid_names[fid]
        if (g := grouped.get(facet)) is not None and n > 0:
            if (c := shown.get(n)) is None:
                c = shown[n] = n if share >= 1.0 else about(n / share)
            g.append((-c, value))
    return {  # only the values shown become FacetValues
        k: tuple(FacetValue(value, -c) for c, value in sorted(v)[:size]) for k, v in grouped.items()
    }
