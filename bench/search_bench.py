"""Search latency and throughput of each backend under concurrent readers.

    python bench/search_bench.py [--records 1000000] [--clients 8] [--rounds 10] [--backends ...]

Builds an index of generated records per backend, then runs a fixed query mix (words,
phrases, cross-script spellings, field prefixes, filters, facets) from ``--clients``
threads, and prints p50 / p99 latency and queries per second. Baseline, measured in the
same run with the same clients: the engine's bare top-20 match for the same words (FTS5
``MATCH … ORDER BY rank LIMIT 20``, or a ``match`` query without collapse or aggregations),
so the cost of collapsing, facets and highlighting shows as a ratio. Targets: p99 <= 50 ms
on SQLite, <= 30 ms on the engines. Not a timed test: it prints figures.

Engines: start them with a heap that holds a million records' facet structures, e.g.
``BIRLIK_ENGINE_HEAP=2g scripts/engine start elasticsearch`` (at the default 512m, garbage
collection alone put the p99 above a second). ``--index NAME`` keeps the built index for
the next run.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from harvester.errors import BirlikError
from indexer.backends.base import SearchBackend, SearchQuery
from indexer.query import parse
from tests.support.records import generated

ENV = {"elasticsearch": "BIRLIK_ES_URL", "opensearch": "BIRLIK_OS_URL"}
MIX: list[SearchQuery] = [
    SearchQuery(q="тарихы"),  # a common word
    SearchQuery(q="дала өлеңдері"),  # two words
    SearchQuery(q='"қазақ әдебиеті"'),  # a phrase
    SearchQuery(q="tarihy"),  # cross-script: Latin for Cyrillic
    SearchQuery(q="Abai joly"),
    SearchQuery(q="şeirlər nağıllar"),
    SearchQuery(q="author:auezov"),
    SearchQuery(q="история", language=("rus",), type=("book",)),  # filters
    SearchQuery(q="Bakı", year_from=1990, year_to=2010, sort="year_desc"),
    SearchQuery(q="g123456"),  # one record
    SearchQuery(q="мұрасы", page=5),
    SearchQuery(q="poeziya", library=("anl",), has_link=True),
]


def percentile(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, round(p / 100 * (len(s) - 1)))]


def run_clients(
    n_clients: int, rounds: int, fn: Callable[[int], object]
) -> tuple[list[float], float]:
    """``n_clients`` threads each run every query of the mix ``rounds`` times."""
    latencies: list[float] = []
    lock = threading.Lock()
    errors: list[BaseException] = []

    def client(c: int) -> None:
        mine = []
        for r in range(rounds * len(MIX)):
            i = (c + r) % len(MIX)
            t = time.perf_counter()
            try:
                fn(i)
            except Exception as e:  # counted and shown: an overloaded engine is a result too
                errors.append(e)
                continue
            mine.append(time.perf_counter() - t)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client, args=(c,)) for c in range(n_clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        print(f"    {len(errors)} queries failed, e.g. {errors[0]}")
    return latencies, time.perf_counter() - t0


def report(
    what: str, lat: list[float], wall: float, base: tuple[list[float], float] | None
) -> None:
    p50, p99 = percentile(lat, 50) * 1000, percentile(lat, 99) * 1000
    extra = ""
    if base:
        b50 = percentile(base[0], 50) * 1000
        b99 = percentile(base[0], 99) * 1000
        extra = f"  ({p50 / b50:.2g}x / {p99 / b99:.2g}x the baseline)"
    print(f"  {what:<26} p50 {p50:7.1f} ms  p99 {p99:7.1f} ms  {len(lat) / wall:7.0f} q/s{extra}")


def per_query(backend: SearchBackend) -> None:
    for q in MIX:
        t = time.perf_counter()
        r = backend.search(q)
        ms = (time.perf_counter() - t) * 1000
        about = "~" if not getattr(r, "total_exact", True) else " "
        print(f"    {ms:7.1f} ms {about}{r.total:>8,} clusters  {q.q!r} {_filters(q)}")


def _filters(q: SearchQuery) -> str:
    out = [
        f"{k}={v}"
        for k, v in (("language", q.language), ("type", q.type), ("library", q.library))
        if v
    ]
    if q.year_from or q.year_to:
        out.append(f"year={q.year_from}-{q.year_to}")
    if q.has_link is not None:
        out.append(f"has_link={q.has_link}")
    if q.page != 1:
        out.append(f"page={q.page}")
    return " ".join(out)


def bench(
    kind: str,
    backend: SearchBackend,
    n: int,
    args: argparse.Namespace,
    baseline: Callable[[int], Any],
    *,
    reuse: bool = False,
) -> None:
    t = time.perf_counter()
    if args.index and _holds(backend, n):
        print(f"{kind}: reusing the {n:,} records behind {args.index}; one query at a time:")
    elif reuse and _holds(backend, n):
        print(f"{kind}: reusing the {n:,} records in {args.sqlite_dir}; one query at a time:")
    else:
        backend.rebuild(generated(n, seed=21))
        backend.refresh()
        took = time.perf_counter() - t
        print(f"{kind}: {n:,} records indexed in {took:.0f} s", end="")
        t = time.perf_counter()
        while getattr(backend, "merging", lambda: False)():  # the engines merge after a rebuild
            time.sleep(0.5)
        if time.perf_counter() - t > 1:
            print(f", segments merged in the background in {time.perf_counter() - t:.0f} s", end="")
        print("; one query at a time:")
    per_query(backend)
    if args.clients < 1:
        return
    print(f"  {args.clients} clients x {args.rounds} rounds of {len(MIX)} queries:")
    base = run_clients(args.clients, args.rounds, baseline)
    report("baseline: bare top-20 match", *base, None)
    ours = run_clients(args.clients, args.rounds, lambda i: backend.search(MIX[i]))
    report("ours (collapse, facets…)", *ours, base)
    nofacets = [SearchQuery(**{**q.__dict__, "facets": False}) for q in MIX]
    report(
        "ours without facets",
        *run_clients(args.clients, args.rounds, lambda i: backend.search(nofacets[i])),
        base,
    )
    print("  load average (1, 5, 15 min): {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))


def _holds(backend: SearchBackend, n: int) -> bool:
    """Whether a kept index already holds the ``n`` generated records (and is readable)."""
    try:
        return backend.count() == n
    except BirlikError:
        return False  # an older layout: rebuild it


def sqlite_baseline(backend: Any) -> Callable[[int], Any]:
    from indexer.backends.sqlite_sql import fts_match

    local = threading.local()
    exprs = [fts_match(parse(q.q)) for q in MIX]

    def run(i: int) -> Any:
        conn = getattr(local, "conn", None)
        if conn is None:
            conn = local.conn = sqlite3.connect(backend._current(), check_same_thread=False)
        return conn.execute(
            "SELECT rowid FROM fts WHERE fts MATCH ? ORDER BY rank LIMIT 20", (exprs[i],)
        ).fetchall()

    return run


def engine_baseline(backend: Any) -> Callable[[int], Any]:
    from indexer.backends.elastic_query import term_query

    bodies = [
        {"query": {"bool": {"must": [term_query(t) for t in parse(q.q).terms]}}, "size": 20}
        for q in MIX
    ]
    return lambda i: backend.client.search(index=backend.alias, body=bodies[i])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--records", type=int, default=1_000_000)
    ap.add_argument("--engine-records", type=int, default=None, help="default: --records")
    ap.add_argument("--clients", type=int, default=8, help="0: one query at a time only")
    ap.add_argument(
        "--rounds",
        type=int,
        default=10,
        help="each client runs the mix this many times: 10 gives 960 latencies at 8 clients, "
        "so the p99 is about the 10th-slowest (at 3 rounds it was the 3rd-slowest of 288 and "
        "swung by 20 ms from run to run on a shared machine)",
    )
    ap.add_argument("--backends", nargs="+", default=["sqlite", "elasticsearch", "opensearch"])
    ap.add_argument(
        "--sqlite-dir",
        default=None,
        help="keep the SQLite index in this directory and reuse it when it already holds "
        "--records records of the current layout (building 1M takes minutes)",
    )
    ap.add_argument(
        "--index",
        default="",
        help="engines: keep the index behind this alias and reuse it when it already holds "
        "the records (saves the rebuild between runs)",
    )
    ap.add_argument(
        "--cold",
        action="store_true",
        help="bypass the request (engines) or result (sqlite) cache, so repeated queries are "
        "computed every time",
    )
    args = ap.parse_args()
    for kind in args.backends:
        if kind == "sqlite":
            from indexer.backends.sqlite import SQLiteBackend

            if args.sqlite_dir:
                b = SQLiteBackend(args.sqlite_dir, "bench")
                b.request_cache = not args.cold
                bench(kind, b, args.records, args, sqlite_baseline(b), reuse=True)
                b.close()
                continue
            with tempfile.TemporaryDirectory(prefix="birlik-bench-") as tmp:
                b = SQLiteBackend(tmp, "bench")
                b.request_cache = not args.cold
                bench(kind, b, args.records, args, sqlite_baseline(b))
                b.close()
            continue
        url = os.environ.get(ENV[kind])
        if not url:
            print(f"{kind}: skipped, {ENV[kind]} is not set (scripts/engine start {kind})")
            continue
        eb: Any
        name = args.index or f"bench-{uuid.uuid4().hex[:8]}"
        if kind == "elasticsearch":
            from indexer.backends.elasticsearch import ElasticsearchBackend

            eb = ElasticsearchBackend(url, name, timeout=120)
        else:
            from indexer.backends.opensearch import OpenSearchBackend

            eb = OpenSearchBackend(url, name, timeout=120)
        eb.request_cache = not args.cold
        try:
            print(f"{kind} {eb.check_version()} at {url}")
            bench(kind, eb, args.engine_records or args.records, args, engine_baseline(eb))
        finally:
            if not args.index:
                eb.destroy()
            eb.close()


if __name__ == "__main__":
    main()
