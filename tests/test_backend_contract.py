"""The one contract suite every search backend passes (django-modelsearch's BackendTests).

Parametrised over sqlite, elasticsearch and opensearch (see tests/support/backends.py for
how the engines are found and when they skip). Expected answers come from the records in
tests/support/records.py, computed in Python where that is clearer than listing them.
"""

from __future__ import annotations

import socket
import sqlite3
import threading
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from harvester.config import load_config
from indexer.backends import get_backend
from indexer.backends.base import FACETS, IndexDoc, SearchBackend, SearchQuery, SearchResult
from indexer.backends.elasticsearch import ElasticsearchBackend
from indexer.backends.opensearch import OpenSearchBackend
from indexer.documents import KEY_FIELDS, to_document
from indexer.errors import BackendError, EngineUnavailable, QueryError
from indexer.query import text_key
from tests.support.backends import BACKENDS, drop, engine_url, open_backend
from tests.support.records import catalogue, generated, make

DOCS = catalogue()
BY_ID = {d.record.id: d for d in DOCS}


@pytest.fixture(scope="module", params=BACKENDS)
def loaded(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SearchBackend]:
    """A backend holding the catalogue, shared by the read-only tests of a module."""
    name = f"birlik-test-{uuid.uuid4().hex[:10]}"
    b = open_backend(str(request.param), tmp_path_factory.mktemp(name), name)
    b.rebuild(DOCS)
    b.refresh()
    yield b
    drop(b)


def clusters(result: SearchResult) -> set[str]:
    return {h.cluster_id for h in result.hits}


def search(b: SearchBackend, q: str = "", **kw: object) -> SearchResult:
    return b.search(SearchQuery(q=q, size=100, **kw))  # type: ignore[arg-type]


def expect(pred: Callable[[IndexDoc], bool]) -> set[str]:
    return {d.cluster_id for d in DOCS if pred(d)}


# -- text -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("q", "cluster"),
    [
        ("Almaty tarihy", "c-almaty"),
        ("Алматы тарихы", "c-almaty"),
        ("Шуша", "anl:oai:anl:2"),
        ("Şuşa", "nlrk:oai:nlrk:2"),
        ("moskva", "anl:oai:anl:3"),
        ("Москва", "nlrk:oai:nlrk:3"),
    ],
)
def test_cross_script_queries_find_the_other_script(
    loaded: SearchBackend, q: str, cluster: str
) -> None:
    assert cluster in clusters(search(loaded, q))


def test_phrase_needs_adjacent_words_in_order(loaded: SearchBackend) -> None:
    assert clusters(search(loaded, "tarihy almaty")) >= {"c-almaty"}
    assert clusters(search(loaded, '"almaty tarihy"')) == {"c-almaty"}
    assert search(loaded, '"tarihy almaty"').total == 0


def test_all_words_must_match(loaded: SearchBackend) -> None:
    assert clusters(search(loaded, "almaty")) == {
        "c-almaty",
        "nlrk:oai:nlrk:5",
        "anl:oai:anl:5",
        "nlrk:oai:nlrk:3",
    }
    assert clusters(search(loaded, "almaty nurlan")) == {"anl:oai:anl:5"}


def test_no_match_is_an_empty_result_with_empty_facets(loaded: SearchBackend) -> None:
    r = loaded.search(SearchQuery(q="qqqqqqqq"))
    assert (r.total, r.hits, r.total_exact) == (0, (), True)
    assert r.facets == dict.fromkeys(FACETS, ())
    assert loaded.search(SearchQuery(q="qqqqqqqq", facets=False)).facets == {}


@pytest.mark.parametrize(
    ("q", "want"),
    [
        ("title:almaty", {"c-almaty", "nlrk:oai:nlrk:5"}),
        ("author:almaty", {"anl:oai:anl:5"}),
        ("subject:Tarix", {"c-almaty", "nlrk:oai:nlrk:5", "anl:oai:anl:2"}),  # Тарих, Tarih
        ('title:"almaty tarihy"', {"c-almaty"}),
        ("isbn:9965350019", {"c-almaty"}),
        ("isbn:978-9965-35-001-6", {"c-almaty"}),
        ("year:1998", {"c-almaty"}),
        ("year:2010-2015", {"anl:oai:anl:2", "nlrk:oai:nlrk:2"}),
        ("tarix year:..2006", {"c-almaty", "anl:oai:anl:5"}),
    ],
)
def test_field_prefixes(loaded: SearchBackend, q: str, want: set[str]) -> None:
    assert clusters(search(loaded, q)) == want


def test_highlights_are_escaped_and_marked_in_the_records_script(loaded: SearchBackend) -> None:
    hit = next(h for h in search(loaded, "almaty").hits if h.cluster_id == "nlrk:oai:nlrk:5")
    assert hit.highlights["title"] == "Тарихи очерки <mark>Алматы</mark>"
    hit = search(loaded, "şəhərin").hits[0]
    assert hit.highlights["title"] == "Şuşa: <mark>şəhərin</mark> salnaməsi"


# -- filters and facets -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("kw", "pred"),
    [
        ({"library": ("anl",)}, lambda d: d.record.source == "anl"),
        ({"language": ("aze",)}, lambda d: "aze" in d.record.languages),
        ({"language": ("kaz", "eng")}, lambda d: {"kaz", "eng"} & set(d.record.languages)),
        ({"type": ("map", "score")}, lambda d: d.record.type in ("map", "score")),
        ({"subject": ("Тарих",)}, lambda d: "Тарих" in d.record.subjects),
        ({"year_from": 2000}, lambda d: (d.record.year or 0) >= 2000),
        ({"year_to": 1950}, lambda d: d.record.year is not None and d.record.year <= 1950),
        ({"year_from": 1990, "year_to": 2005}, lambda d: 1990 <= (d.record.year or 0) <= 2005),
        ({"has_link": True}, lambda d: bool(d.record.links)),
        ({"has_link": False}, lambda d: not d.record.links),
    ],
)
def test_every_filter(
    loaded: SearchBackend, kw: dict[str, Any], pred: Callable[[IndexDoc], bool]
) -> None:
    r = search(loaded, **kw)
    assert clusters(r) == expect(pred)
    assert r.total == len(expect(pred))


def oracle_facets() -> dict[str, Counter[str]]:
    """Facet counts in clusters, computed from the records."""
    seen: dict[str, dict[str, set[str]]] = {}
    for d in DOCS:
        r = d.record
        values = {
            "library": [r.source],
            "language": list(r.languages),
            "type": [r.type],
            "year": [str(r.year)] if r.year else [],
            "decade": [f"{r.year // 10 * 10}s"] if r.year else [],
            "subject": list(r.subjects),
            "has_link": ["true" if r.links else "false"],
        }
        for facet, vs in values.items():
            for v in vs:
                seen.setdefault(facet, {}).setdefault(v, set()).add(d.cluster_id)
    return {f: Counter({v: len(c) for v, c in vals.items()}) for f, vals in seen.items()}


def test_every_facet_counts_clusters(loaded: SearchBackend) -> None:
    r = search(loaded, facet_size=100)
    got = {f: Counter({v.value: v.count for v in vals}) for f, vals in r.facets.items() if vals}
    assert got == oracle_facets()
    assert r.total == len({d.cluster_id for d in DOCS})


def oracle(q: str) -> set[str]:
    """Clusters with a record holding every key token of ``q`` in some field (words only)."""
    want = set(text_key(q).split())
    out = set()
    for d in DOCS:
        doc = to_document(d)
        have = set(" ".join(doc[k] for k in KEY_FIELDS).split())
        if want <= have:
            out.add(d.cluster_id)
    return out


@pytest.mark.parametrize("q", ["tarih", "almaty", "Алматы тарихы", "moskva", "poeziya", "шуша"])
def test_word_queries_match_the_key_oracle(loaded: SearchBackend, q: str) -> None:
    r = search(loaded, q)
    assert clusters(r) == oracle(q) and r.total == len(oracle(q))


def test_facets_follow_the_query_and_are_ordered_by_count(loaded: SearchBackend) -> None:
    r = search(loaded, "tarih")
    want = Counter(d.record.source for d in DOCS if d.cluster_id in oracle("tarih"))
    assert {v.value: v.count for v in r.facets["library"]} == want
    counts = [v.count for v in search(loaded).facets["language"]]
    assert counts == sorted(counts, reverse=True)


# -- sort, paging, collapse ---------------------------------------------------------------


def test_sort_orders(loaded: SearchBackend) -> None:
    years = [h.record.year for h in search(loaded, sort="year_desc").hits]
    known = [y for y in years if y is not None]
    assert known == sorted(known, reverse=True) and years[-1] is None
    years = [h.record.year for h in search(loaded, sort="year_asc").hits]
    known = [y for y in years if y is not None]
    assert known == sorted(known) and years[-1] is None
    from indexer.documents import sort_title

    titles = [sort_title(h.record) for h in search(loaded, sort="title").hits]
    assert titles == sorted(titles)
    hits = search(loaded, "almaty").hits
    assert hits[0].cluster_id == "c-almaty"  # title match outranks author and notes matches
    assert hits[-1].cluster_id == "nlrk:oai:nlrk:3"  # notes only


def test_collapse_one_hit_per_cluster_with_every_holding(loaded: SearchBackend) -> None:
    r = search(loaded, '"almaty tarihy"')
    assert r.total == 1 and len(r.hits) == 1
    assert {(h.library, h.id) for h in r.hits[0].holdings} == {
        ("nlrk", "nlrk:oai:nlrk:1"),
        ("anl", "anl:oai:anl:1"),
    }
    members = loaded.cluster("c-almaty")
    assert [m.id for m in members] == ["nlrk:oai:nlrk:1", "anl:oai:anl:1"]  # preferred first


def test_get_returns_the_whole_record(loaded: SearchBackend) -> None:
    rec = loaded.get("anl:oai:anl:2")
    assert rec == BY_ID["anl:oai:anl:2"].record
    assert loaded.get("anl:nope") is None
    assert loaded.count() == len(DOCS)


@pytest.fixture(scope="module")
def many(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, loaded: SearchBackend
) -> Iterator[SearchBackend]:
    kind = loaded.name
    name = f"birlik-test-{uuid.uuid4().hex[:10]}"
    b = open_backend(kind, tmp_path_factory.mktemp(name), name)
    b.rebuild(generated(1200))
    b.refresh()
    yield b
    drop(b)


@pytest.mark.parametrize("sort", ["title", "year_desc", "relevance"])
def test_pagination_is_correct_deep_into_results(many: SearchBackend, sort: str) -> None:
    q = "" if sort != "relevance" else "tarihy"
    pages = [
        many.search(SearchQuery(q=q, sort=sort, page=p, size=100, facets=False))
        for p in range(1, 12)
    ]
    seq = [h.cluster_id for r in pages for h in r.hits]
    total = pages[0].total
    assert len(seq) == len(set(seq)) == min(total, 1100)
    if not q:
        assert total == 1080  # 1200 records, every tenth a duplicate of the one before
    p50 = many.search(SearchQuery(q=q, sort=sort, page=50, size=20, facets=False))
    assert [h.cluster_id for h in p50.hits] == seq[980:1000]


# -- writes -----------------------------------------------------------------------------


def test_add_replaces_and_delete_propagates(backend: SearchBackend) -> None:
    backend.add(DOCS)
    backend.refresh()
    changed = make("anl", 2, "Gəncə xəritəsi", languages=("aze",), year=2012)
    backend.add([IndexDoc(changed, "anl:oai:anl:2")])
    backend.refresh()
    assert search(backend, "salnaməsi").total == 0
    assert clusters(search(backend, "xəritəsi")) == {"anl:oai:anl:2"}
    assert backend.count() == len(DOCS)

    assert backend.delete(["nlrk:oai:nlrk:1", "nlrk:unknown"]) == 1
    backend.refresh()
    r = search(backend, '"almaty tarihy"')
    assert [[h.id for h in hit.holdings] for hit in r.hits] == [["anl:oai:anl:1"]]
    assert backend.get("nlrk:oai:nlrk:1") is None
    backend.delete(["anl:oai:anl:1"])
    backend.refresh()
    assert search(backend, '"almaty tarihy"').total == 0
    assert backend.count() == len(DOCS) - 2
    backend.reset()
    assert backend.count() == 0 and search(backend).total == 0


def test_rebuild_while_searching_never_shows_an_empty_index(backend: SearchBackend) -> None:
    backend.rebuild(DOCS)
    backend.refresh()
    errors: list[BaseException] = []
    totals: list[int] = []
    stop = threading.Event()

    def reader() -> None:
        while not stop.is_set():
            try:
                totals.append(backend.search(SearchQuery(q="almaty", facets=False)).total)
            except BaseException as e:
                errors.append(e)
                return

    threads = [threading.Thread(target=reader) for _ in range(2)]
    for t in threads:
        t.start()
    try:
        for _ in range(3):
            backend.rebuild([*DOCS, *generated(300, prefix="r")])
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert not errors
    assert totals and min(totals) >= 4
    assert backend.count() == len(DOCS) + 300


# -- hostile input ----------------------------------------------------------------------

HOSTILE = [
    '"',
    '""',
    '"almaty',
    'almaty"',
    "(",
    ")",
    "(almaty",
    "*",
    "almaty*",
    "a:b:c",
    ":",
    "title:",
    "title:(",
    "NOT almaty",
    "almaty AND OR",
    "almaty NEAR(x y)",
    "{title_key}: x",
    "^almaty",
    "almaty~2",
    "title_key:almaty",
    "\\",
    "'; DROP TABLE docs; --",
    '+-&&||!(){}[]^"~*?:\\/',
    "x" * 10_000,
    "almaty " * 1500,
    "\x00\x01almaty\x1f\x7f",
    "alm\u200baty",
    "<script>",
    "%s%n",
    "year:abc",
    "isbn:123",
    "year:2000-1990",
    "-almaty",
    "𝔞𝔩𝔪𝔞𝔱𝔶",
    "\ud800",
]


@pytest.mark.parametrize("q", HOSTILE, ids=[repr(q[:20]) for q in HOSTILE])
def test_hostile_queries_answer_or_raise_query_error(loaded: SearchBackend, q: str) -> None:
    try:
        r = search(loaded, q)
    except QueryError as e:
        assert str(e) and "Traceback" not in str(e)
    else:
        assert r.total >= 0


@pytest.mark.parametrize(
    "kw", [{"page": 0}, {"size": 0}, {"size": 1000}, {"sort": "random"}, {"page": 600}]
)
def test_bad_paging_or_sort_is_a_query_error(loaded: SearchBackend, kw: dict[str, object]) -> None:
    with pytest.raises(QueryError):
        loaded.search(SearchQuery(**kw))  # type: ignore[arg-type]


# -- the factory and the engines' failure messages ----------------------------------------


@pytest.mark.parametrize("kind", BACKENDS)
def test_get_backend_picks_the_configured_adapter(tmp_path: Path, kind: str) -> None:
    cfg = tmp_path / "birlik.toml"
    cfg.write_text(f'data_dir = "var"\n[index]\nbackend = "{kind}"\nurl = "http://127.0.0.1:9"\n')
    b = get_backend(load_config(cfg))
    try:
        assert b.name == kind
    finally:
        b.close()


@pytest.mark.parametrize("kind", ["elasticsearch", "opensearch"])
def test_unreachable_engine_is_a_clear_error(kind: str, tmp_path: Path) -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cls = {"elasticsearch": ElasticsearchBackend, "opensearch": OpenSearchBackend}[kind]
    b = cls(f"http://127.0.0.1:{port}", "birlik", timeout=2)
    try:
        with pytest.raises(EngineUnavailable, match=f"cannot reach .* at http://127.0.0.1:{port}"):
            b.ping()
    finally:
        b.close()


@pytest.mark.parametrize("kind", ["elasticsearch", "opensearch"])
def test_a_server_version_the_client_cannot_speak_is_refused(kind: str) -> None:
    url = engine_url(kind)
    base = {"elasticsearch": ElasticsearchBackend, "opensearch": OpenSearchBackend}[kind]
    strict = type("Strict", (base,), {"server_majors": (99,)})
    b = strict(url, "birlik-never-created")
    try:
        with pytest.raises(EngineUnavailable, match=r"does not match the Python client .*99\.x"):
            b.ping()
    finally:
        b.close()


def test_sqlite_index_of_an_older_layout_asks_for_a_rebuild(tmp_path: Path) -> None:
    from indexer.backends.sqlite import SQLiteBackend

    b = SQLiteBackend(tmp_path, "old")
    b.add(DOCS[:2])
    with sqlite3.connect(b._current()) as conn:
        conn.execute("PRAGMA user_version = 1")
    b.close()
    b = SQLiteBackend(tmp_path, "old")
    with pytest.raises(
        BackendError, match=r"has layout 1, .*rebuild it \(birlik index --rebuild\)"
    ):
        b.count()
    assert b.rebuild(DOCS) == len(DOCS) and b.count() == len(DOCS)
    b.close()
