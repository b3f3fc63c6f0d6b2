"""SQLite-specific search behaviour: sampled blocks, estimates, sorted walks, rowid layout.

The contract suite checks answers every backend shares; here the SQLite backend is made to
take its large-index paths on a small index (a block of a few dozen rows), and each path is
compared with the exact answer of the same index read in full.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from indexer.backends import sqlite as sqlite_module
from indexer.backends import sqlite_search
from indexer.backends import sqlite_sql as sql
from indexer.backends import sqlite_write as write
from indexer.backends.base import IndexDoc, SearchQuery, SearchResult
from indexer.backends.sqlite import SQLiteBackend
from indexer.query import parse
from tests.support.records import generated, make

N = 1500


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SQLiteBackend]:
    b = SQLiteBackend(tmp_path_factory.mktemp("sqlite-search"), "t")
    b.rebuild(generated(N, seed=5))
    b.request_cache = False  # the tests below change how results are computed
    yield b
    b.close()


@pytest.fixture
def small_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Blocks of 40 rows and no 'read it all' below 100: the paths of a huge index."""
    monkeypatch.setattr(sqlite_search, "SAMPLE", 40)
    monkeypatch.setattr(sqlite_search, "EXACT_ROWS", 100)
    monkeypatch.setattr(sqlite_search, "SORTED_PROBES", 10**9)


def ids(r: SearchResult) -> list[str]:
    return [h.cluster_id for h in r.hits]


def pages(b: SQLiteBackend, q: SearchQuery, n: int) -> list[str]:
    out: list[str] = []
    for p in range(1, n + 1):
        out += ids(b.search(SearchQuery(**{**q.__dict__, "page": p, "facets": False})))
    return out


@pytest.mark.parametrize(
    ("x", "want"), [(0, 0), (7.4, 7), (99, 99), (123, 120), (1049, 1000), (125_555, 130_000)]
)
def test_about_keeps_two_significant_figures(x: float, want: int) -> None:
    assert sqlite_search.about(x) == want


def test_small_results_are_exact(index: SQLiteBackend) -> None:
    r = index.search(SearchQuery(q="tarihy"))
    assert r.total_exact and r.facets_exact
    assert r.total == len(pages(index, SearchQuery(q="tarihy", size=100), 10))


@pytest.mark.usefixtures("small_blocks")
def test_broad_results_are_estimated_and_flagged(index: SQLiteBackend) -> None:
    with pytest.MonkeyPatch.context() as m:
        m.setattr(sqlite_search, "EXACT_ROWS", 10**9)
        exact = index.search(SearchQuery(q="tarihy", facet_size=50))
    r = index.search(SearchQuery(q="tarihy", facet_size=50))
    assert not r.total_exact and not r.facets_exact
    assert 0.6 * exact.total <= r.total <= 1.4 * exact.total
    libraries = {v.value: v.count for v in r.facets["library"]}
    for v in exact.facets["library"]:
        assert 0.5 * v.count <= libraries[v.value] <= 1.5 * v.count


@pytest.mark.usefixtures("small_blocks")
@pytest.mark.parametrize("q", ["tarihy", "", "author:auezov"])
def test_relevance_pages_form_one_order(index: SQLiteBackend, q: str) -> None:
    """Page by page (1..15 of 10) = one page of 150: blocks give one fixed order."""
    query = SearchQuery(q=q, size=10)
    assert not index.search(query).total_exact
    seq = pages(index, query, 15)
    assert len(seq) == len(set(seq)) == 150
    assert seq == ids(index.search(SearchQuery(q=q, size=100, page=1, facets=False))) + ids(
        index.search(SearchQuery(q=q, size=50, page=3, facets=False))
    )
    p12 = index.search(SearchQuery(q=q, size=10, page=12, facets=False))
    assert ids(p12) == seq[110:120]


@pytest.mark.parametrize("sort", ["year_desc", "year_asc", "title"])
@pytest.mark.parametrize(
    "query",
    [
        SearchQuery(q="tarihy"),
        SearchQuery(q=""),
        SearchQuery(q="bakı", year_from=1950, year_to=2000),
        SearchQuery(q="", language=("rus",), library=("anl",)),
        SearchQuery(q='"тарихы g"'),  # a phrase (each title ends in its number: "g12")
        SearchQuery(q="author:auezov"),
    ],
)
@pytest.mark.parametrize("walk", [True, False], ids=["walk", "read-all"])
def test_sorted_broad_results_equal_the_exact_sort(
    index: SQLiteBackend,
    monkeypatch: pytest.MonkeyPatch,
    sort: str,
    query: SearchQuery,
    walk: bool,
) -> None:
    """Sorted by year or title, a broad result is read from the order's index (walk) or,
    when that would check too many rows, read whole: either way, the exact order."""
    q = SearchQuery(**{**query.__dict__, "sort": sort, "size": 25})
    exact = pages(index, q, 3)
    monkeypatch.setattr(sqlite_search, "SAMPLE", 40)
    monkeypatch.setattr(sqlite_search, "EXACT_ROWS", 40)
    monkeypatch.setattr(sqlite_search, "SORTED_PROBES", 10**9 if walk else 0)
    monkeypatch.setattr(sqlite_search, "PROBE_COST", 0 if walk else 10**9)
    walked = pages(index, q, 3)
    assert index.search(q).total_exact is not walk
    assert walked == exact and len(set(walked)) == len(walked) > 25


@pytest.mark.parametrize("sort", ["year_desc", "year_asc", "title"])
@pytest.mark.parametrize("years", [(None, None), (1950, 2000)])
def test_sorted_walk_reads_its_index_without_sorting(
    index: SQLiteBackend, sort: str, years: tuple[int | None, int | None]
) -> None:
    q = SearchQuery(q="tarihy", sort=sort, year_from=years[0], year_to=years[1])
    text, params = sql.sorted_sql(sql.plan(q, parse(q.q), {}), sort)
    steps = [r[3] for r in index._conn().execute(f"EXPLAIN QUERY PLAN {text}", [*params, 5])]
    assert any(sql.SORTED_INDEX[sort] in s for s in steps)
    assert not any("TEMP B-TREE" in s for s in steps), steps


ROW_QUERIES = [
    "tarihy",
    "Abai joly",
    '"қазақ әдебиеті"',
    "author:auezov",
    "title:tarihy bakı",
    "subject:tarih",
    "1967",
    "1234567",
    "x",
    "print",
    "0028",
    "g12",
    "Tom",
    '"jerry xx"',
    "2nd",
    "ed",
    "subject:jerry",
]


def test_the_row_test_finds_exactly_what_fts5_finds(tmp_path: Path) -> None:
    """``row_test`` (a sorted walk's check of each row) against FTS5 itself, on words,
    phrases, field prefixes, years, ids FTS5 tokenizes apart from their spaces (an ISSN with
    its check letter, an id as catalogued) and texts of mixed case and punctuation."""
    docs = list(generated(300, seed=11))
    odd = [
        dataclasses.replace(docs[0].record, issns=("1234-567X",)),
        dataclasses.replace(docs[1].record, isbns=("0028-0836 (Print)",)),
        dataclasses.replace(docs[2].record, isbns=("1234567 X",)),
        dataclasses.replace(
            docs[3].record,
            title="TOM & Jerry: XX-ASR (2nd ed.)",
            notes=("Tom’s «ed.» 12-34",),
            publisher="Jerry/XX",
        ),
    ]
    docs[:4] = [IndexDoc(r, d.cluster_id, d.preferred) for r, d in zip(odd, docs, strict=False)]
    b = SQLiteBackend(tmp_path, "rows")
    b.rebuild(docs)
    conn = b._conn()
    try:
        for q in ROW_QUERIES:
            parsed = parse(q)
            text, params = sql.row_test(parsed)
            by_row = {r for (r,) in conn.execute(f"SELECT rowid FROM docs d WHERE {text}", params)}
            by_fts = {
                r
                for (r,) in conn.execute(
                    "SELECT rowid FROM fts WHERE fts MATCH ?", (sql.fts_match(parsed),)
                )
            }
            assert by_row == by_fts, q
        assert conn.execute(f"SELECT count(*) FROM docs d WHERE {sql.ODD_IDS}").fetchone()[0] == 3
    finally:
        b.close()


def test_a_cluster_keeps_its_records_together_and_the_count_stays_right(
    tmp_path: Path,
) -> None:
    b = SQLiteBackend(tmp_path, "t")
    docs = list(generated(40, seed=3))
    b.rebuild(docs[:30])
    b.add(docs[20:])  # ten replaced, ten new
    b.delete([docs[0].record.id, "nope"])
    conn = b._conn()
    meta = dict(conn.execute("SELECT key, value FROM meta"))
    assert meta["docs"] == b.count() == 39
    for (cluster_id,) in conn.execute("SELECT DISTINCT cluster_id FROM docs"):
        blocks = {
            rid >> sql.MEMBER_BITS
            for (rid,) in conn.execute("SELECT rowid FROM docs WHERE cluster_id = ?", (cluster_id,))
        }
        assert blocks == {write.cluster_base(cluster_id) >> sql.MEMBER_BITS}
    assert {h.cluster_id for h in b.search(SearchQuery(size=100)).hits} == {
        d.cluster_id for d in docs[1:]
    }
    b.close()


def test_the_result_cache_never_outlives_a_write(tmp_path: Path) -> None:
    b = SQLiteBackend(tmp_path, "t")
    docs = list(generated(30, seed=3))
    b.rebuild(docs[:20])
    q = SearchQuery(size=100)
    first = b.search(q)
    assert b.search(q) is first  # answered from the cache
    b.add(docs[20:])
    clusters = len({d.cluster_id for d in docs})
    assert b.search(q).total == clusters
    b.delete([docs[5].record.id])  # a record alone in its cluster
    assert b.search(q).total == clusters - 1
    other = SQLiteBackend(tmp_path, "t")  # another writer (as another process would be)
    other.delete([docs[6].record.id])
    assert b.search(q).total == clusters - 2
    for n in (3, 4):  # another writer's rebuilds are seen by the next search, every time
        other.rebuild(docs[:n])
        assert b.search(q).total == len({d.cluster_id for d in docs[:n]})
    other.close()
    b.close()


def test_facet_names_stay_right_past_the_cache_bound(
    index: SQLiteBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    want = index.search(SearchQuery(q="tarihy")).facets
    index.close()  # a fresh connection, an empty names cache
    monkeypatch.setattr(sqlite_module, "NAMES_KEPT", 3)
    assert index.search(SearchQuery(q="tarihy")).facets == want
    assert index.search(SearchQuery(q="bakı")).facets["library"]


def test_a_broad_search_ranks_title_and_author_matches_first(
    tmp_path: Path, small_blocks: None
) -> None:
    """Many records mention the words in their subjects or notes; the few holding them in
    the title (or the authors) are ranked exactly, ahead of the sampled rest."""
    docs = [
        IndexDoc(make("anl", i, f"Өлеңдер жинағы {i}", subjects=("Абай тарихы",)), f"c{i}")
        for i in range(400)
    ]
    docs += [
        IndexDoc(make("nlrk", "t1", "Абай тарихы", authors=("Әуезов, Мұхтар",)), "t1"),
        IndexDoc(make("nlrk", "t2", "Тарихы", authors=("Абай",)), "t2"),
        IndexDoc(make("nlrk", "t3", "Абай: тарихы мен тағдыры"), "t3"),
    ]
    b = SQLiteBackend(tmp_path, "head")
    b.rebuild(docs)
    b.request_cache = False
    try:
        broad = b.search(SearchQuery(q="Abai tarihy", size=5, facets=False))
        assert not broad.total_exact
        assert set(ids(broad)[:3]) == {"t1", "t2", "t3"}
        assert ids(broad)[0] in {"t1", "t3"}  # both words in the title beat one in the authors
        assert pages(b, SearchQuery(q="Abai tarihy", size=5), 3)[:3] == ids(broad)[:3]
        fielded = b.search(SearchQuery(q="subject:abai tarihy", size=5, facets=False))
        assert fielded.total > 0  # a field prefix: no head, the sampled order only
    finally:
        b.close()


def test_a_head_far_above_its_bound_is_not_counted(
    tmp_path: Path, small_blocks: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When the first block's title/author rows extrapolate far above HEAD_MAX, the exact
    head count is skipped; the answer is the one the count would have given."""
    docs = [IndexDoc(make("anl", i, f"Абай тарихы {i}"), f"c{i}") for i in range(400)]
    b = SQLiteBackend(tmp_path, "bighead")
    b.rebuild(docs)
    b.request_cache = False
    counted: list[str] = []
    head_sql = sql.head_sql

    def counting(p: sql.Plan, match: str, most: int) -> tuple[str, list[Any]]:
        counted.append(match)
        return head_sql(p, match, most)

    monkeypatch.setattr(sql, "head_sql", counting)
    monkeypatch.setattr(sqlite_search, "HEAD_MAX", 20)
    q = SearchQuery(q="Abai tarihy", size=5)
    try:
        monkeypatch.setattr(sqlite_search, "HEAD_SURE", 10)
        skipped = b.search(q)
        assert not counted and not skipped.total_exact
        monkeypatch.setattr(sqlite_search, "HEAD_SURE", 10**9)  # always count
        assert b.search(q) == skipped and counted
    finally:
        b.close()
