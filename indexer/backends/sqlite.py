"""The embedded default backend: SQLite FTS5 in the data directory.

Layout: each build is its own file, ``<name>-<generation>.fts.sqlite3``, and the small file
``<name>.current`` names the one in use. A rebuild (or reset) writes a complete new file,
then swaps the pointer with ``os.replace``: readers keep answering from the old file until
their next search, which opens the new one. They never see a half-built index. The
previous generation is kept one rebuild longer for readers still inside a search.

Connections are per thread (``threading.local``); writes are serialised by a lock and run
in WAL mode, so searches in other threads go on while a batch is written.

Rowids hash the duplicate cluster (``sqlite_write.cluster_base``), so a search can read a
fair sample of a broad result instead of all of it (``sqlite_search``); the price is that
updates land all over the file. ``fts`` indexes the key texts kept in the ``docs`` rows
(external content, see ``sqlite_sql.SCHEMA``). Results are cached by (file, write counter,
query).
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path
from typing import Any

import orjson

from indexer.backends import sqlite_search
from indexer.backends import sqlite_sql as sql
from indexer.backends import sqlite_write as write
from indexer.backends.base import (
    IndexDoc,
    SearchBackend,
    SearchQuery,
    SearchResult,
)
from indexer.backends.common import check_query, holdings_by_cluster, make_hit
from indexer.documents import KEY_FIELDS, from_document, frozen_heap, to_document
from indexer.errors import BackendError, StaleIndexError
from indexer.record import Record

log = logging.getLogger(__name__)
BATCH = 25_000
"""Records per transaction when adding to an index: they land all over the cluster-hashed
file, so most pages a batch touches are rewritten at its commit; fewer, larger commits
rewrite them fewer times (20k upserts into 100k: 10k batches 1.7-2.2 s, one batch 1.2-1.5 s)."""
NAMES_KEPT = 100_000
"""Facet value names cached per connection, at most."""
FRESH_BATCH = 5_000
"""Records per transaction of a new file (its FTS5 index is built after the rows, so the
batch only bounds the rows held in memory)."""


class SQLiteBackend(SearchBackend):
    """FTS5 with a field-weighted BM25 score, filters, facets and cluster collapse; broad
    results sampled, their totals and facet counts estimated and flagged."""

    name = "sqlite"
    request_cache = True
    """Answer a repeated search from the result cache (False: compute every search)."""

    def __init__(self, directory: str | os.PathLike[str], name: str = "birlik") -> None:
        self.directory = Path(directory)
        self.index_name = name
        self.directory.mkdir(parents=True, exist_ok=True)
        self.pointer = self.directory / f"{name}.current"
        self._local = threading.local()
        self._write_lock = threading.Lock()
        self._conns: list[sqlite3.Connection] = []
        self._conns_lock = threading.Lock()
        self._cache = sqlite_search.ResultCache()
        self._pointed: tuple[tuple[int, int, int], Path] | None = None
        if not self.pointer.exists():
            with self._write_lock:
                self._swap_in(self._build(iter(())))

    # -- files and connections -------------------------------------------------------

    def _current(self) -> Path:
        """The generation the pointer names; read again only when the pointer file changed
        (a swap replaces it: new inode and time), so a search costs one ``stat``."""
        try:
            st = os.stat(self.pointer)
            key = (st.st_ino, st.st_mtime_ns, st.st_size)
            if (seen := self._pointed) is not None and seen[0] == key:
                return seen[1]
            path = self.directory / self.pointer.read_text(encoding="utf-8").strip()
        except OSError as e:
            raise BackendError(f"search index pointer {self.pointer} cannot be read: {e}") from e
        self._pointed = (key, path)
        return path

    def _conn(self) -> sqlite3.Connection:
        """This thread's connection to the current generation (reopened after a swap)."""
        for _ in range(5):
            path = self._current()
            conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
            if conn is not None and self._local.path == path:
                return conn
            if conn is not None:
                self._drop(conn)
            try:
                conn = sqlite3.connect(
                    f"file:{path}?mode=rw",
                    uri=True,
                    check_same_thread=False,
                    timeout=30,
                    isolation_level=None,
                )
            except sqlite3.OperationalError:
                time.sleep(0.01)  # swapped twice under us: read the pointer again
                continue
            conn.execute("PRAGMA busy_timeout = 30000")
            conn.execute("PRAGMA cache_size = -65536")
            conn.execute("PRAGMA temp_store = MEMORY")
            conn.execute("PRAGMA mmap_size = 4294967296")
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version != sql.SCHEMA_VERSION:
                conn.close()
                raise StaleIndexError(
                    f"search index {path} has layout {version}, this Birlik needs "
                    f"{sql.SCHEMA_VERSION}: rebuild it (birlik index --rebuild)"
                )
            self._local.conn, self._local.path = conn, path
            self._local.facet_names = {}
            with self._conns_lock:
                self._conns.append(conn)
            return conn
        raise BackendError(f"search index {self.directory} keeps changing; cannot open it")

    def _drop(self, conn: sqlite3.Connection) -> None:
        with self._conns_lock:
            if conn in self._conns:
                self._conns.remove(conn)
        conn.close()
        self._local.conn = None

    def _build(self, docs: Iterator[Any], *, prepared: bool = False) -> tuple[Path, int]:
        """Write a complete new generation file from ``docs``; return it and its size."""
        path = self.directory / f"{self.index_name}-{time.time_ns()}.fts.sqlite3"
        conn = sqlite3.connect(path, isolation_level=None)
        try:
            conn.execute("PRAGMA journal_mode = OFF")
            conn.execute("PRAGMA synchronous = OFF")
            conn.execute("PRAGMA cache_size = -262144")  # docs rows land in cluster order
            conn.executescript(sql.SCHEMA)
            conn.execute(f"PRAGMA user_version = {sql.SCHEMA_VERSION}")
            n = self._write(conn, docs, fresh=True, prepared=prepared)
            conn.execute("INSERT INTO fts (fts) VALUES ('rebuild')")
            conn.executescript(sql.INDEXES)
            conn.execute(sql.AVG_LENGTHS)
            conn.execute("INSERT INTO fts (fts) VALUES ('optimize')")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
        except BaseException:
            conn.close()
            path.unlink(missing_ok=True)
            raise
        conn.close()
        return path, n

    def _swap_in(self, built: tuple[Path, int]) -> int:
        path, n = built
        old = self._current().name if self.pointer.exists() else ""
        tmp = self.pointer.with_suffix(".tmp")
        tmp.write_text(path.name, encoding="utf-8")
        os.replace(tmp, self.pointer)
        keep = {path.name, old}
        for f in self.directory.glob(f"{self.index_name}-*.fts.sqlite3*"):
            if f.name.split(".fts.sqlite3")[0] + ".fts.sqlite3" not in keep:
                f.unlink(missing_ok=True)
        log.info("search index %s swapped in (%d records)", path.name, n)
        return n

    # -- writing -----------------------------------------------------------------------

    def _write(
        self, conn: sqlite3.Connection, docs: Iterator[Any], *, fresh: bool, prepared: bool = False
    ) -> int:
        """Write ``docs`` in batches, each one transaction; replace records with the same id.

        Documents are prepared here, in the writing thread: a preparing thread would hold the
        GIL while ``executemany`` needs it back after every row (measured: no faster)."""
        n = 0
        sources = docs if prepared else map(to_document, docs)
        facet_ids = write.FacetIds(conn)
        seen = bytearray(1 << 24) if fresh else None
        with frozen_heap():
            while batch := list(islice(sources, FRESH_BATCH if fresh else BATCH)):
                conn.execute("BEGIN IMMEDIATE")
                try:
                    n += self._write_batch(conn, batch, facet_ids, seen)
                    conn.execute("COMMIT")
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise
        return n

    def _write_batch(
        self,
        conn: sqlite3.Connection,
        batch: list[dict[str, Any]],
        facet_ids: write.FacetIds,
        seen: bytearray | None,
    ) -> int:
        """One batch's rows (a new file, ``seen`` given: no deletions, and ``fts`` is built
        afterwards in one pass)."""
        gone = 0 if seen is not None else self._delete_ids(conn, [d["id"] for d in batch])
        rowids = write.allocate_rowids(conn, [d["cluster_id"] for d in batch], seen)
        body = conn.execute("SELECT COALESCE(MAX(rowid), 0) + 1 FROM bodies").fetchone()[0]
        rows = sorted(
            (
                write.rows_for(d, rid, body + i, facet_ids(d))
                for i, (d, rid) in enumerate(zip(batch, rowids, strict=True))
            ),
            key=lambda r: r[0][0],  # rowid
        )
        conn.executemany(write.INSERT_DOC, [r[0] for r in rows])
        conn.executemany(write.INSERT_BODY, [r[1] for r in rows])
        if seen is None:
            conn.executemany(write.INSERT_FTS, [r[2] for r in rows])
        write.add_count(conn, len(batch) - gone)
        return len(batch)

    def _delete_ids(self, conn: sqlite3.Connection, ids: list[str]) -> int:
        found: list[tuple[Any, ...]] = []
        keys = ", ".join(KEY_FIELDS)
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            q = f"SELECT rowid, body, {keys} FROM docs WHERE id IN ({sql.marks(chunk)})"
            found.extend(conn.execute(q, chunk))
        rowids = [r[0] for r in found]
        params = [(r,) for r in rowids]
        conn.executemany(write.DELETE_FTS, [(r[0], *r[2:]) for r in found])
        conn.executemany("DELETE FROM bodies WHERE rowid = ?", [(r[1],) for r in found])
        conn.executemany("DELETE FROM docs WHERE rowid = ?", params)
        return len(rowids)

    def add(self, docs: Iterable[IndexDoc]) -> int:
        with self._write_lock:
            return self._guard(lambda: self._write(self._conn(), iter(docs), fresh=False))

    def delete(self, record_ids: Iterable[str]) -> int:
        ids = list(dict.fromkeys(record_ids))

        def run() -> int:
            conn = self._conn()
            conn.execute("BEGIN IMMEDIATE")
            try:
                n = self._delete_ids(conn, ids)
                write.add_count(conn, -n)
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            return n

        with self._write_lock:
            return self._guard(run)

    def refresh(self) -> None:
        """Nothing to do: a committed batch is visible at once."""

    def count(self) -> int:
        return int(
            self._guard(lambda: self._conn().execute("SELECT COUNT(*) FROM docs").fetchone()[0])
        )

    def reset(self) -> None:
        self.rebuild(())

    def rebuild(self, docs: Iterable[IndexDoc]) -> int:
        with self._write_lock:
            return self._guard(lambda: self._swap_in(self._build(iter(docs))))

    def rebuild_prepared(self, docs: Iterable[dict[str, Any]]) -> int:
        """``rebuild`` from documents already made by ``to_document`` (for benchmarks)."""
        with self._write_lock:
            return self._guard(lambda: self._swap_in(self._build(iter(docs), prepared=True)))

    # -- reading -----------------------------------------------------------------------

    def search(self, query: SearchQuery) -> SearchResult:
        parsed = check_query(query)

        def run() -> SearchResult:
            conn = self._conn()
            conn.execute("BEGIN")  # one snapshot for the matches and what is read from them
            try:
                meta = orjson.loads(
                    conn.execute("SELECT json_group_object(key, value) FROM meta").fetchone()[0]
                )
                key = (self._local.path, meta.get("writes", 0.0), query)
                if self.request_cache and (cached := self._cache.get(key)) is not None:
                    return cached
                a = sqlite_search.run(
                    conn, query, parsed, meta, lambda c: self._facet_names(conn, c)
                )
                hits = self._hits(conn, a.page, parsed)
            finally:
                conn.execute("COMMIT")
            result = SearchResult(
                a.total,
                query.page,
                query.size,
                hits,
                a.facets,
                total_exact=a.total_exact,
                facets_exact=a.facets_exact,
            )
            if self.request_cache:
                self._cache.put(key, result)
            return result

        return self._guard(run)

    def _facet_names(
        self, conn: sqlite3.Connection, fids: Counter[str]
    ) -> dict[str, tuple[str, str]]:
        """fid → (facet, value), cached per connection: only the ids not seen before are
        read (there is one value per ISBN, far too many to load whole)."""
        names: dict[str, tuple[str, str]] = getattr(self._local, "facet_names", {})
        missing = [f for f in fids if f not in names]
        if len(names) + len(missing) > NAMES_KEPT:
            names = {}
            missing = list(fids)
        for i in range(0, len(missing), 500):
            chunk = missing[i : i + 500]
            names.update(
                (str(fid), (f, v))
                for fid, f, v in conn.execute(
                    f"SELECT fid, facet, value FROM facet_values WHERE fid IN ({sql.marks(chunk)})",
                    chunk,
                )
            )
        self._local.facet_names = names
        return names

    def _hits(
        self, conn: sqlite3.Connection, page: list[tuple[int, float]], parsed: Any
    ) -> tuple[Any, ...]:
        if not page:
            return ()
        found, members = orjson.loads(
            conn.execute(sql.HITS_SQL, (orjson.dumps([r[0] for r in page]).decode(),)).fetchone()[0]
        )
        reps = {rid: (cluster_id, Record.from_dict(rec)) for rid, cluster_id, rec in found}
        members.sort(key=lambda m: (m[0], -m[3], m[1], m[2]))
        holdings = holdings_by_cluster((c, lib, i) for c, lib, i, _ in members)
        return tuple(
            make_hit(reps[rid][0], reps[rid][1], holdings, parsed, score) for rid, score in page
        )

    def get(self, record_id: str) -> Record | None:
        row = self._guard(
            lambda: (
                self._conn()
                .execute(
                    "SELECT b.record, b.raw_xml FROM docs d JOIN bodies b ON b.rowid = d.body "
                    "WHERE d.id = ?",
                    (record_id,),
                )
                .fetchone()
            )
        )
        return from_document({"record": row[0], "raw_xml": row[1]}, with_raw=True) if row else None

    def cluster(self, cluster_id: str) -> tuple[Record, ...]:
        rows = self._guard(
            lambda: (
                self._conn()
                .execute(
                    "SELECT b.record FROM docs d JOIN bodies b ON b.rowid = d.body "
                    "WHERE d.cluster_id = ? ORDER BY d.preferred DESC, d.library, d.id",
                    (cluster_id,),
                )
                .fetchall()
            )
        )
        return tuple(from_document({"record": r[0]}) for r in rows)

    def close(self) -> None:
        with self._conns_lock:
            conns, self._conns = self._conns, []
        for c in conns:
            c.close()
        self._local = threading.local()

    def _guard(self, fn: Any) -> Any:
        """Run ``fn``; an SQLite failure becomes a ``BackendError`` naming the index."""
        try:
            return fn()
        except sqlite3.Error as e:
            raise BackendError(f"search index {self._current()}: {e}") from e
