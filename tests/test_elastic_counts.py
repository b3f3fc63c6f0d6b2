"""Engine-only behaviour of the Elasticsearch and OpenSearch adapters: when counts stop being
exact, and that they say so.

Above ``exact_limit`` matching records the total and the facet counts are estimated from a
random sample of clusters, rounded to two figures and flagged. The limits are lowered here
so 1 200 records cross them.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from indexer.backends.base import IndexDoc, SearchQuery
from indexer.backends.elastic_search import Limits
from indexer.backends.elasticbase import ElasticBackend
from indexer.documents import sort_title
from tests.support.backends import drop, open_backend
from tests.support.records import generated

DOCS: list[IndexDoc] = list(generated(1200))


@pytest.fixture(scope="module", params=("elasticsearch", "opensearch"))
def engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ElasticBackend]:
    name = f"birlik-test-{uuid.uuid4().hex[:10]}"
    b = open_backend(str(request.param), Path(tmp_path_factory.mktemp(name)), name)
    assert isinstance(b, ElasticBackend)
    b.rebuild(DOCS)
    b.refresh()
    yield b
    drop(b)


def test_below_the_limit_counts_are_exact_cluster_counts(engine: ElasticBackend) -> None:
    r = engine.search(SearchQuery(facet_size=10))
    assert r.total_exact and r.facets_exact
    assert r.total == len({d.cluster_id for d in DOCS}) == 1080
    by_library: dict[str, set[str]] = {}
    for d in DOCS:
        by_library.setdefault(d.record.source, set()).add(d.cluster_id)
    assert {v.value: v.count for v in r.facets["library"]} == {
        k: len(v) for k, v in by_library.items()
    }


@pytest.mark.parametrize(("share", "tolerance"), [(1.0, 0.02), (0.25, 0.25)])
def test_above_the_limit_counts_are_flagged_estimates(
    engine: ElasticBackend, monkeypatch: pytest.MonkeyPatch, share: float, tolerance: float
) -> None:
    monkeypatch.setattr(engine, "limits", Limits(exact_limit=100, first_share=share, sample=50))
    r = engine.search(SearchQuery(facet_size=10))
    assert not r.total_exact and not r.facets_exact
    assert r.total == pytest.approx(1080, rel=tolerance)
    clusters: dict[str, set[str]] = {}
    for d in DOCS:
        clusters.setdefault(d.record.source, set()).add(d.cluster_id)
    got = {v.value: v.count for v in r.facets["library"]}
    assert got.keys() == clusters.keys()
    for library, members in clusters.items():
        assert got[library] == pytest.approx(len(members), rel=tolerance)
    assert len(r.hits) == 20 and len({h.cluster_id for h in r.hits}) == 20


def test_a_small_first_sample_is_drawn_again_larger(
    engine: ElasticBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    """1/2048 of 1 080 clusters is next to none: a sample of about 375 records is drawn."""
    monkeypatch.setattr(engine, "limits", Limits(exact_limit=100, sample=300))
    r = engine.search(SearchQuery(facet_size=10))
    assert not r.total_exact
    assert r.total == pytest.approx(1080, rel=0.2)


def test_pages_collapsed_here_and_by_the_engine_agree(
    engine: ElasticBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    q = [SearchQuery(q="tarihy", sort=s, page=3, facets=False) for s in ("relevance", "title")]
    here = [engine.search(x) for x in q]
    monkeypatch.setattr(engine, "limits", Limits(shallow=0))
    assert [engine.search(x) for x in q] == here


def test_a_small_result_stays_exact_whatever_the_limit(
    engine: ElasticBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine, "limits", Limits(exact_limit=100))
    r = engine.search(SearchQuery(q="g11"))
    assert r.total_exact and r.total == 1 and r.hits[0].record.id.endswith(":g11")


def test_the_request_cache_can_be_bypassed(
    engine: ElasticBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    q = SearchQuery(q="tarihy", page=2)
    cached = engine.search(q)
    monkeypatch.setattr(engine, "request_cache", False)
    assert engine.search(q) == cached


@pytest.mark.parametrize("kind", ["elasticsearch", "opensearch"])
def test_records_of_few_clusters_are_collapsed_by_the_engine(
    kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first records ranked hold fewer clusters than the page needs (three clusters of
    twenty records in a row in title order, pages of two): the adapter falls back to the
    engine's collapse, and the pages list each cluster once, in order."""
    name = f"birlik-test-{uuid.uuid4().hex[:10]}"
    b = open_backend(kind, tmp_path, name)
    try:
        recs = sorted((d.record for d in generated(60)), key=sort_title)  # clusters in a row
        b.rebuild(IndexDoc(r, f"c{i // 20}", i % 20 == 0) for i, r in enumerate(recs))
        b.refresh()
        assert isinstance(b, ElasticBackend)
        calls: list[int] = []
        msearch = b._msearch

        def counted(bodies: list[dict[str, Any]]) -> list[dict[str, Any]]:
            calls.append(len(bodies))
            return msearch(bodies)

        monkeypatch.setattr(b, "_msearch", counted)
        pages = [b.search(SearchQuery(sort="title", page=p, size=2, facets=False)) for p in (1, 2)]
        seq = [h.cluster_id for r in pages for h in r.hits]
        assert seq == ["c0", "c1", "c2"]
        assert calls[:3] == [2, 1, 2]  # ranked + sample, then the engine's collapse, then members
        assert pages[0].total == 3 and all(len(h.holdings) == 20 for h in pages[0].hits)
        monkeypatch.setattr(b, "limits", Limits(shallow=0))  # the engine collapses every page
        again = [b.search(SearchQuery(sort="title", page=p, size=2, facets=False)) for p in (1, 2)]
        assert again == pages
    finally:
        drop(b)
