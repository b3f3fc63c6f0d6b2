"""Index throughput of each backend, beside a baseline measured in the same run.

    python bench/index_bench.py [--records 100000 1000000] [--sqlite-records 1000000]
                                [--backends ...] [--repeat 3]

For every backend: documents per second of ``backend.rebuild(docs)`` (our whole path:
flat documents with their search keys, bulk writes, alias or file swap). Baselines:

- the engines: a raw ``helpers.bulk`` of the *same prepared documents* into a fresh index of
  the same template (no preparation, no retries, no swap); target ours >= 0.8x raw;
- sqlite: the target is 20 000 docs/s; the preparation alone (``to_document``) is timed too,
  so the share the SQL side takes is visible.

Engines come from BIRLIK_ES_URL / BIRLIK_OS_URL (``scripts/engine start …``); one unset is
skipped with a note. Not a timed test: it prints figures.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from indexer.backends.base import IndexDoc, SearchBackend
from indexer.documents import to_document
from tests.support.records import generated

ENV = {"elasticsearch": "BIRLIK_ES_URL", "opensearch": "BIRLIK_OS_URL"}


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    t = time.perf_counter()
    out = fn()
    return time.perf_counter() - t, out


def line(what: str, n: int, seconds: float, extra: str = "") -> None:
    print(f"  {what:<38} {n:>9,} docs {seconds:8.1f} s {n / seconds:>10,.0f} docs/s {extra}")


def bench_sqlite(n: int) -> None:
    from indexer.backends.sqlite import SQLiteBackend

    print(f"sqlite, {n:,} records")
    docs = list(generated(n, seed=11))
    t_prep, prepared = timed(lambda: [to_document(d) for d in docs])
    line("to_document only (keys, JSON)", n, t_prep)
    with tempfile.TemporaryDirectory(prefix="birlik-bench-") as tmp:
        b = SQLiteBackend(tmp, "bench")
        t, _ = timed(lambda: b.rebuild_prepared(prepared))
        line("ours, prepared documents: SQLite only", n, t, f"{n / t / 20_000:.2f}x 20k target")
        prepared.clear()
        t, _ = timed(lambda: b.rebuild(docs))
        line("ours: rebuild (prepare + write + swap)", n, t, f"{n / t / 20_000:.2f}x 20k target")
        more = list(generated(min(n, 20_000), seed=12, prefix="a"))
        t, _ = timed(lambda: b.add(more))
        line("ours: add to a full index (upsert)", len(more), t)
        size = sum(f.stat().st_size for f in Path(tmp).glob("bench-*"))
        print(f"  index file {size / 1e6:,.0f} MB, {size / b.count():,.0f} bytes/record")
        b.close()


def bench_engine(kind: str, n: int, repeat: int = 1) -> None:
    url = os.environ.get(ENV[kind])
    if not url:
        print(f"{kind}: skipped, {ENV[kind]} is not set (scripts/engine start {kind})")
        return

    backend: Any
    if kind == "elasticsearch":
        from elasticsearch import helpers

        from indexer.backends.elasticsearch import ElasticsearchBackend

        backend = ElasticsearchBackend(url, f"bench-{uuid.uuid4().hex[:8]}", timeout=120)
    else:
        from opensearchpy import helpers  # type: ignore[no-redef]

        from indexer.backends.opensearch import OpenSearchBackend

        backend = OpenSearchBackend(url, f"bench-{uuid.uuid4().hex[:8]}", timeout=120)
    print(f"{kind} {backend.check_version()} at {url}, {n:,} records")
    docs: list[IndexDoc] = list(generated(n, seed=11))
    t_prep, prepared = timed(lambda: [to_document(d) for d in docs])
    line("to_document only", n, t_prep)
    client = backend.client
    raw_index = f"{backend.alias}-vraw"

    def raw(what: list[dict[str, Any]]) -> tuple[float, float]:
        """Seconds of a raw ``helpers.bulk`` into a fresh index, and of its refresh."""
        client.indices.create(index=raw_index)
        client.indices.put_settings(index=raw_index, body={"index": {"refresh_interval": "-1"}})
        actions = ({"_index": raw_index, "_id": d["id"], "_source": d} for d in what)
        t_bulk, _ = timed(lambda: helpers.bulk(client, actions, chunk_size=1000))
        t_refresh, _ = timed(lambda: client.indices.refresh(index=raw_index))
        client.indices.delete(index=raw_index)
        return t_bulk, t_refresh

    try:
        backend.ping()  # puts the template, so the raw index gets the same mappings
        raw(prepared[:5000])  # JIT and caches warm for both
        ratios: dict[str, list[float]] = {"prepared": [], "rebuild": []}
        for rep in range(1, repeat + 1):
            print(f"  round {rep} of {repeat}: raw, then ours, one after the other")
            t_raw, t_refresh = raw(prepared)
            line("raw helpers.bulk of prepared documents", n, t_raw)
            line("  the same + refresh (searchable)", n, t_raw + t_refresh)
            t_ours, _ = timed(lambda: backend.rebuild_prepared(prepared))
            what = "ours, prepared: bulk + retries + swap"
            line(what, n, t_ours, ratio(t_raw, t_refresh, t_ours))
            settle(backend)
            t_all, _ = timed(lambda: backend.rebuild(docs))
            line("ours: rebuild (prepare + bulk + swap)", n, t_all, ratio(t_raw, t_refresh, t_all))
            settle(backend)
            ratios["prepared"].append(t_raw / t_ours)
            ratios["rebuild"].append(t_raw / t_all)
        if repeat > 1:
            for what, rs in ratios.items():
                shown = ", ".join(f"{r:.2f}" for r in rs)
                print(f"  {what}: median {statistics.median(rs):.2f}x raw bulk ({shown})")
    finally:
        client.indices.delete(index=raw_index, ignore_unavailable=True)
        destroy(backend)


def settle(backend: Any) -> None:
    """Wait for the background merge a rebuild starts (after its swap, so outside the timed
    rebuild), so it does not slow the next measurement."""
    t = time.perf_counter()
    while backend.merging():
        time.sleep(0.5)
    print(f"  (background merge after the swap: {time.perf_counter() - t:.1f} s more)")


def ratio(t_raw: float, t_refresh: float, t_ours: float) -> str:
    """Ours against raw bulk alone (the target) and against raw bulk + refresh (ours ends
    searchable, so that is the like-for-like figure)."""
    return f"{t_raw / t_ours:.2f}x raw ({(t_raw + t_refresh) / t_ours:.2f}x raw + refresh)"


def destroy(backend: SearchBackend) -> None:
    getattr(backend, "destroy", lambda: None)()
    backend.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument(
        "--records", type=int, nargs="+", default=[100_000], help="records for the engines"
    )
    ap.add_argument("--sqlite-records", type=int, nargs="+", default=[100_000, 1_000_000])
    ap.add_argument("--backends", nargs="+", default=["sqlite", "elasticsearch", "opensearch"])
    ap.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="engines: rounds of raw bulk then ours; on a shared machine the median ratio is "
        "the figure (each round's raw bulk is its own baseline)",
    )
    args = ap.parse_args()
    for kind in args.backends:
        if kind == "sqlite":
            for n in args.sqlite_records:
                bench_sqlite(n)
        else:
            for n in args.records:
                bench_engine(kind, n, args.repeat)


if __name__ == "__main__":
    main()
