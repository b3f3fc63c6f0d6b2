"""Engine-only behaviour of the Elasticsearch and OpenSearch adapters: when counts stop being
exact, and that they say so.

Above ``exact_limit`` matching records the adapters answer from one request: the total is
the number of matching preferred records and facet counts count records, both flagged.
The limit is lowered here so 1 200 records cross it.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from indexer.backends.base import IndexDoc, SearchQuery
from indexer.backends.elasticbase import ElasticBackend
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


def test_above_the_limit_counts_are_flagged_estimates(
    engine: ElasticBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine, "exact_limit", 100)
    r = engine.search(SearchQuery(facet_size=10))
    assert not r.total_exact and not r.facets_exact
    assert r.total == sum(d.preferred for d in DOCS)  # clusters whose preferred record matches
    records = Counter(d.record.source for d in DOCS)
    assert {v.value: v.count for v in r.facets["library"]} == dict(records)
    assert len(r.hits) == 20 and len({h.cluster_id for h in r.hits}) == 20


def test_a_small_result_stays_exact_whatever_the_limit(
    engine: ElasticBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine, "exact_limit", 100)
    r = engine.search(SearchQuery(q="g11"))
    assert r.total_exact and r.total == 1 and r.hits[0].record.id.endswith(":g11")


def test_the_request_cache_can_be_bypassed(
    engine: ElasticBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    q = SearchQuery(q="tarihy", page=2)
    cached = engine.search(q)
    monkeypatch.setattr(engine, "request_cache", False)
    assert engine.search(q) == cached
