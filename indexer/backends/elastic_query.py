"""Mappings and search bodies shared by the Elasticsearch and OpenSearch adapters.

Pure functions from a ``SearchQuery`` and its parsed ``q`` to request bodies, and from
responses back to facet values; no client here. The key fields hold ``search_key``
tokens, so they are analysed by whitespace only: folding and transliteration happened in
Python. User text reaches the engine only as those tokens inside ``match`` queries, never
in ``query_string`` syntax.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

from indexer.backends.base import FACETS, MAX_WINDOW, FacetValue, SearchQuery
from indexer.backends.common import about, year_range
from indexer.documents import FIELD_KEYS, KEY_FIELDS, WEIGHTS
from indexer.query import ParsedQuery, Term

LAYOUT = 2
"""Version of the mappings below, kept in the index's ``_meta``: an index of another layout
is rebuilt by the next index run (``StaleIndexError``)."""
EXACT_LIMIT = 2000
"""Up to this many matching records, the total and the facet counts are exact cluster
counts (``exact_body``: ``cardinality`` aggregations, exact below their threshold). Above
it they are estimated from a sample of clusters (``sample_body``). Per-bucket cluster
counts cost about 10 ms per thousand matches on a small node (and seconds over a
million)."""
HASH_SPAN = 1 << 63
"""``cluster_hash`` values lie in [0, HASH_SPAN)."""
_STORED = {"type": "keyword", "index": False, "doc_values": False}
_KEYWORD = {"type": "keyword"}
_FACET = {"type": "keyword", "eager_global_ordinals": True}
"""Facet fields: their global ordinals are built at refresh, not by the first search."""
_KEYS = {"type": "text", "analyzer": "keys", "norms": True}

MAPPINGS: dict[str, Any] = {
    "dynamic": "strict",
    "_meta": {"birlik_layout": LAYOUT},
    "properties": {
        "id": _KEYWORD,
        "cluster_id": _KEYWORD,
        "cluster_hash": {"type": "long", "doc_values": False},  # points only: sample ranges
        "preferred": {"type": "boolean"},
        "library": _FACET,
        "languages": _FACET,
        "type": _FACET,
        "year": {"type": "integer"},
        "decade": _FACET,
        "subjects": _FACET,
        "has_link": {"type": "boolean"},
        "isbns": _KEYWORD,
        "title_sort": _KEYWORD,
        **{k: _KEYS for k in KEY_FIELDS},
        "record": _STORED,
        "raw_xml": _STORED,
    },
}
SETTINGS: dict[str, Any] = {
    "number_of_shards": 1,
    "number_of_replicas": 0,
    "max_result_window": MAX_WINDOW,
    "analysis": {
        "analyzer": {"keys": {"type": "custom", "tokenizer": "whitespace", "filter": ["lowercase"]}}
    },
}
HOLDING_FIELDS = ("cluster_id", "library", "id")
FACET_FIELDS = {
    "library": "library",
    "language": "languages",
    "type": "type",
    "decade": "decade",
    "year": "year",
    "subject": "subjects",
    "has_link": "has_link",
}
_ALL = [f"{k}^{WEIGHTS[k]:g}" for k in KEY_FIELDS]
_TIEBREAK = [{"title_sort": "asc"}, {"cluster_id": "asc"}]
_SORTS: dict[str, list[Any]] = {
    "relevance": [{"_score": "desc"}],  # ties in index order: a tiebreak would stop the
    # engine from skipping records that cannot reach the top (several ms on a broad query)
    "year_desc": [{"year": {"order": "desc", "missing": "_last"}}, *_TIEBREAK],
    "year_asc": [{"year": {"order": "asc", "missing": "_last"}}, *_TIEBREAK],
    "title": [
        {"title_sort": "asc"},
        {"year": {"order": "asc", "missing": "_last"}},
        {"cluster_id": "asc"},
    ],
}


def template(name: str) -> dict[str, Any]:
    """The index template every versioned index ``<name>-v…`` is created from."""
    return {
        "index_patterns": [f"{name}-v*"],
        "priority": 200,
        "template": {"settings": SETTINGS, "mappings": MAPPINGS},
    }


def term_query(term: Term) -> dict[str, Any]:
    text = " ".join(term.tokens)
    if term.field is not None:
        field = FIELD_KEYS[term.field]
        if term.phrase:
            return {"match_phrase": {field: {"query": text}}}
        return {"match": {field: {"query": text, "operator": "and"}}}
    kind = "phrase" if term.phrase else "best_fields"
    return {"multi_match": {"query": text, "fields": _ALL, "type": kind, "operator": "and"}}


def bool_query(query: SearchQuery, parsed: ParsedQuery) -> dict[str, Any]:
    """Terms as ``must`` (scored), everything else as ``filter``."""
    filters: list[dict[str, Any]] = []
    for field, values in (
        ("library", query.library),
        ("languages", query.language),
        ("type", query.type),
        ("subjects", query.subject),
        ("isbns", parsed.isbns),
    ):
        if values:
            filters.append({"terms": {field: list(values)}})
    lo, hi = year_range(query, parsed)
    if lo is not None or hi is not None:
        rng = {k: v for k, v in (("gte", lo), ("lte", hi)) if v is not None}
        filters.append({"range": {"year": rng}})
    if query.has_link is not None:
        filters.append({"term": {"has_link": query.has_link}})
    must = [term_query(t) for t in parsed.terms] or [{"match_all": {}}]
    return {"bool": {"must": must, "filter": filters}}


def hits_body(
    query: SearchQuery, parsed: ParsedQuery, *, fetch: int, collapse: bool, track: int
) -> dict[str, Any]:
    """Ranked matches, named by record id and cluster id only (no stored document is read).

    Without ``collapse``: the first ``fetch`` matching records, which the caller collapses
    into clusters (first record of each cluster in this order, the order ``collapse`` gives).
    Ranking them, the engine skips records that cannot reach the top (block-max WAND), which
    ``collapse`` rules out: it must rank every match. With ``collapse`` (deep pages): the
    page of clusters itself. Records are counted up to ``track``."""
    sort = _SORTS[query.sort]
    if query.sort == "relevance" and not parsed.terms:
        sort = [{"preferred": "desc"}, *_TIEBREAK]
    body: dict[str, Any] = {
        "query": bool_query(query, parsed),
        "sort": sort,
        "stored_fields": "_none_",  # not even _id: reading stored fields costs ms a page
        "docvalue_fields": ["cluster_id", "id"],
        "track_total_hits": track,
    }
    if collapse:
        body |= {
            "collapse": {"field": "cluster_id"},
            "from": (query.page - 1) * query.size,
            "size": query.size,
        }
    else:
        body |= {"from": 0, "size": fetch}
    return body


def sample_body(
    query: SearchQuery, parsed: ParsedQuery, share: float, *, facets: bool = True
) -> dict[str, Any]:
    """Matching records of a random ``share`` of the clusters (by ``cluster_hash``), counted
    in records and clusters, with facets counted in clusters when ``facets`` (and the query
    asks for them). The hash range leads the match, so the engine visits about ``share`` of
    the matches, unscored."""
    if not facets and query.facets:
        query = dataclasses.replace(query, facets=False)
    body = exact_body(query, parsed)
    if share < 1:
        body["query"]["bool"]["filter"].append(
            {"range": {"cluster_hash": {"lt": int(HASH_SPAN * share)}}}
        )
    body["track_total_hits"] = True
    return body


def exact_body(
    query: SearchQuery, parsed: ParsedQuery, exact_limit: int = EXACT_LIMIT
) -> dict[str, Any]:
    """Cluster total and facets counted in clusters, for at most ``exact_limit`` matches
    (the ``cardinality`` threshold, below which its counts are exact)."""
    aggs: dict[str, Any] = {"clusters": _clusters(exact_limit)}
    if query.facets:
        for name in FACETS:
            aggs[f"facet_{name}"] = {
                "terms": {
                    "field": FACET_FIELDS[name],
                    "size": query.facet_size,
                    "order": [{"clusters": "desc"}, {"_key": "asc"}],
                },
                "aggs": {"clusters": _clusters(exact_limit)},
            }
    return {
        "query": {"bool": {"filter": [bool_query(query, parsed)]}},  # counted, not scored
        "size": 0,
        "track_total_hits": False,
        "aggs": aggs,
    }


def _clusters(limit: int) -> dict[str, Any]:
    """Distinct clusters; ``direct`` hashing, since ordinal bitsets over a million cluster
    ids cost more per facet bucket than the few thousand matches they count."""
    return {
        "cardinality": {
            "field": "cluster_id",
            "precision_threshold": limit,
            "execution_hint": "direct",
        }
    }


def holdings_body(cluster_ids: list[str]) -> dict[str, Any]:
    """Every member of the given clusters, preferred first (read from doc values: no
    stored document is loaded)."""
    return {
        "query": {"terms": {"cluster_id": cluster_ids}},
        "sort": [{"cluster_id": "asc"}, {"preferred": "desc"}, {"library": "asc"}, {"id": "asc"}],
        "_source": False,
        "docvalue_fields": list(HOLDING_FIELDS),
        "track_total_hits": False,
        "size": min(MAX_WINDOW, max(100, 50 * len(cluster_ids))),
    }


def members_body(cluster_ids: list[str]) -> dict[str, Any]:
    """``holdings_body`` with each member's stored record: the page's hits are read from it."""
    return holdings_body(cluster_ids) | {"_source": ["record"]}


def holding_rows(resp: dict[str, Any]) -> Iterator[tuple[str, str, str]]:
    """(cluster_id, library, record id) of each hit of a ``holdings_body`` search."""
    for h in resp["hits"]["hits"]:
        f = h["fields"]
        yield f["cluster_id"][0], f["library"][0], f["id"][0]


def facets_from(
    aggs: dict[str, Any], scale: float | None = None
) -> dict[str, tuple[FacetValue, ...]]:
    """Facet values counted in clusters (``exact_body``, ``sample_body``); counts of a sample
    are multiplied by ``scale`` and rounded to two figures (estimates)."""
    out: dict[str, tuple[FacetValue, ...]] = {}
    for name in FACETS:
        agg = aggs.get(f"facet_{name}")
        if agg is None:
            continue
        out[name] = tuple(
            FacetValue(
                str(b.get("key_as_string", b["key"])),
                int(b["clusters"]["value"])
                if scale is None
                else about(b["clusters"]["value"] * scale),
            )
            for b in agg["buckets"]
        )
    return out
