"""How the Elasticsearch and OpenSearch adapters answer a search in two round trips.

1. One ``_msearch`` with two searches the engine runs side by side:

   - the ranked matches (``hits_body``), ids only. For pages within ``SHALLOW`` results the
     first records are fetched and collapsed here, first record of each cluster, which is
     the order the engine's ``collapse`` gives; the engine can then skip records that cannot
     reach the top instead of ranking every match. Deeper pages use ``collapse``. Records
     are counted up to ``exact_limit``;
   - a sample (``sample_body``): the matches among a random ``first_share`` of the
     clusters, counted (records and clusters), unscored.

2. One more ``_msearch``: every member of the page's clusters with its record (the hits and
   their holdings), and the counts: exact cluster counts (``exact_body``) when at most
   ``exact_limit`` records match; otherwise a sample with facets, larger than the first
   when that one held fewer than ``Limits.sample`` records (its size tells how large).

Above ``exact_limit`` the total and the facet counts are estimates from the sample, rounded
to two figures and flagged (``total_exact`` / ``facets_exact``), like the SQLite backend's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from indexer.backends import elastic_query as eq
from indexer.backends.base import (
    FACETS,
    MAX_WINDOW,
    FacetValue,
    Hit,
    SearchQuery,
    SearchResult,
)
from indexer.backends.common import about, holdings_by_cluster, make_hit
from indexer.documents import from_document
from indexer.query import ParsedQuery

MSearch = Callable[[list[dict[str, Any]]], list[dict[str, Any]]]


@dataclass(frozen=True)
class Limits:
    exact_limit: int = eq.EXACT_LIMIT
    """Matching records up to which counts are exact."""
    shallow: int = 1000
    """Results (page x size) up to which a page is collapsed here rather than by the engine."""
    first_share: float = 1 / 2048
    """Share of the clusters the first sample covers: a few hundred records at most in a
    catalogue of a million, so it costs next to nothing."""
    sample: int = 300
    """Matching records a sample should hold, as many as the SQLite backend's sample block:
    a first sample with fewer is drawn again, larger by what it lacked (and a quarter more,
    so that most second draws reach it). Cluster counts per facet value cost 4-8 ms per
    thousand records on a small node."""


def search(msearch: MSearch, query: SearchQuery, parsed: ParsedQuery, lim: Limits) -> SearchResult:
    window = query.page * query.size
    deep = window > lim.shallow
    fetch = min(MAX_WINDOW, 2 * window + query.size)
    hits_resp, sample = msearch(
        [
            eq.hits_body(query, parsed, fetch=fetch, collapse=deep, track=lim.exact_limit),
            eq.sample_body(query, parsed, lim.first_share, facets=False),
        ]
    )
    matched = hits_resp["hits"]["total"]
    exact = matched["relation"] == "eq" and matched["value"] <= lim.exact_limit
    ranked = _ranked(hits_resp["hits"]["hits"])
    if not deep:
        page = _page_of_clusters(ranked, query, fetch)
        if page is None:  # the records fetched hold too few clusters: the engine collapses
            body = eq.hits_body(query, parsed, fetch=0, collapse=True, track=lim.exact_limit)
            page = _ranked(msearch([body])[0]["hits"]["hits"])
        ranked = page
    share = lim.first_share
    second = [eq.members_body([c for c, _, _ in ranked])] if ranked else []
    if exact and matched["value"]:
        second.append(eq.exact_body(query, parsed, lim.exact_limit))
    elif not exact and (query.facets or sample["hits"]["total"]["value"] < lim.sample):
        drawn = sample["hits"]["total"]["value"]
        if drawn < lim.sample:
            share = min(1.0, share * 1.25 * lim.sample / max(1, drawn))
        second.append(eq.sample_body(query, parsed, share))
    answers = msearch(second) if second else []
    members = answers.pop(0) if ranked else None
    counts = answers[0] if answers else sample  # no second sample: the first one counts
    hits = _hits(ranked, members, parsed)
    if exact and not matched["value"]:
        empty: dict[str, tuple[FacetValue, ...]] = dict.fromkeys(FACETS, ()) if query.facets else {}
        return SearchResult(0, query.page, query.size, (), empty)
    if exact:
        aggs = counts["aggregations"]
        total = int(aggs["clusters"]["value"])
        return SearchResult(total, query.page, query.size, hits, eq.facets_from(aggs), True, True)
    clusters = int(counts["aggregations"]["clusters"]["value"])
    total = max(about(clusters / share), (query.page - 1) * query.size + len(hits))
    facets = eq.facets_from(counts["aggregations"], scale=1 / share)
    return SearchResult(total, query.page, query.size, hits, facets, False, False)


def _ranked(page: list[dict[str, Any]]) -> list[tuple[str, str, float]]:
    """(cluster id, record id, score) of each hit of a ``hits_body`` search."""
    return [
        (h["fields"]["cluster_id"][0], h["fields"]["id"][0], h.get("_score") or 0.0) for h in page
    ]


def _page_of_clusters(
    ranked: list[tuple[str, str, float]], query: SearchQuery, fetch: int
) -> list[tuple[str, str, float]] | None:
    """The page's clusters from ranked records, each placed by its first (best) record, as
    the engine's ``collapse`` places them; None when the ``fetch`` records fetched hold
    fewer clusters than the page needs and more records match."""
    seen: dict[str, tuple[str, str, float]] = {}
    for r in ranked:
        seen.setdefault(r[0], r)
    window = query.page * query.size
    if len(seen) < window and len(ranked) == fetch:
        return None
    return list(seen.values())[(query.page - 1) * query.size : window]


def _hits(
    ranked: list[tuple[str, str, float]], members: dict[str, Any] | None, parsed: ParsedQuery
) -> tuple[Hit, ...]:
    """Hits with every member's holding, each shown by the record that placed its cluster
    (a record deleted between the two round trips is left out)."""
    if members is None:
        return ()
    sources = {h["_id"]: h["_source"] for h in members["hits"]["hits"]}
    holdings = holdings_by_cluster(eq.holding_rows(members))
    return tuple(
        make_hit(cluster_id, from_document(sources[rid]), holdings, parsed, score)
        for cluster_id, rid, score in ranked
        if rid in sources
    )
