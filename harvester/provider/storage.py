"""The SQLite side of a collection: schema, connection pool, transactions, list queries.

Every list page is one keyset query: items after the key (datestamp, identifier) of the
last item sent, walking ``items_by_date`` or, for a set, ``item_sets``, which has a row per
setSpec of an item *and per ancestor* (``lang:aze`` puts it in ``lang`` too). Both carry
the deleted flag and the item's formats, so a list's filter and its completeListSize
count never leave the index (1M items: the count went from 2.6 s to a fraction). Metadata
is a rowid table looked up by a unique (identifier, prefix) index: large rows in a WITHOUT
ROWID table made a page cost three times as much CPU (measured at 100k records).
"""

from __future__ import annotations

import hashlib
import queue
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

TABLES = """
PRAGMA journal_mode = WAL;
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS items (
    identifier TEXT PRIMARY KEY, datestamp TEXT NOT NULL, deleted INTEGER NOT NULL,
    formats TEXT NOT NULL, sets TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS metadata (
    identifier TEXT NOT NULL, prefix TEXT NOT NULL, xml TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS item_sets (
    spec TEXT NOT NULL, identifier TEXT NOT NULL, datestamp TEXT NOT NULL,
    deleted INTEGER NOT NULL, formats TEXT NOT NULL, sets TEXT NOT NULL,
    PRIMARY KEY (spec, datestamp, identifier)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS formats (
    prefix TEXT PRIMARY KEY, schema TEXT NOT NULL, namespace TEXT NOT NULL);
"""
INDEXES = """
CREATE INDEX IF NOT EXISTS items_by_date
    ON items (datestamp, identifier, deleted, formats, sets);
CREATE UNIQUE INDEX IF NOT EXISTS metadata_key ON metadata (identifier, prefix);
"""
SCHEMA = TABLES + INDEXES

# A bulk load into an empty collection drops the secondary indexes and stages the set
# rows unordered, then sorts once: random-order index inserts made loading grow faster
# than the collection (measured: 300k items).
BULK_START = """
DROP INDEX IF EXISTS items_by_date;
DROP INDEX IF EXISTS metadata_key;
CREATE TEMP TABLE IF NOT EXISTS item_sets_load AS SELECT * FROM main.item_sets WHERE 0;
"""
BULK_END = (
    "INSERT OR IGNORE INTO main.item_sets SELECT * FROM temp.item_sets_load"
    " ORDER BY spec, datestamp, identifier;"
    " DROP TABLE temp.item_sets_load;" + INDEXES
)

# Schema locations of the formats we know; others announce their namespace as schema.
KNOWN_SCHEMAS = {
    "http://www.openarchives.org/OAI/2.0/oai_dc/": "http://www.openarchives.org/OAI/2.0/oai_dc.xsd",
    "http://www.loc.gov/MARC21/slim": "http://www.loc.gov/standards/marcxml/schema/MARC21slim.xsd",
    "http://www.loc.gov/mods/v3": "http://www.loc.gov/standards/mods/v3/mods-3-8.xsd",
}


@lru_cache(maxsize=4096)
def ancestors(spec: str) -> tuple[str, ...]:
    """``a:b:c`` → ``("a", "a:b", "a:b:c")``: every set an item in ``spec`` belongs to."""
    parts = spec.split(":")
    return tuple(":".join(parts[: n + 1]) for n in range(len(parts)))


def formats_key(metadata: Iterable[str]) -> str:
    """The ``formats`` column: the item's prefixes, space-delimited on both sides."""
    return " " + " ".join(sorted(metadata)) + " "


def select_items(
    prefix: str,
    set_spec: str | None,
    lo: str,
    hi: str | None,
    after: tuple[str, str],
    with_metadata: bool,
    with_deleted: bool,
) -> tuple[str, list[object]]:
    """SQL and arguments selecting a list's items after ``after``, in key order.

    Rows are (identifier, datestamp, deleted, sets, xml or None). The filter is answered
    from the walking index alone (it carries deleted, formats and sets); metadata is
    joined only for the rows returned. Deleted items are listed for every prefix (they
    have no metadata left to say which they had).
    """
    table = "item_sets" if set_spec is not None else "items"
    xml = "m.xml" if with_metadata else "NULL"
    sql = f"SELECT t.identifier, t.datestamp, t.deleted, t.sets, {xml} FROM {table} t"
    args: list[object] = []
    if with_metadata:
        sql += " LEFT JOIN metadata m ON m.identifier = t.identifier AND m.prefix = ?"
        args.append(prefix)
    where = []
    if set_spec is not None:
        where.append("t.spec = ?")
        args.append(set_spec)
    where += ["(t.datestamp, t.identifier) > (?, ?)", "t.datestamp >= ?"]
    args += [after[0], after[1], lo]
    if hi is not None:
        where.append("t.datestamp <= ?")
        args.append(hi)
    has_format = "instr(t.formats, ?) > 0"
    where.append(f"(t.deleted OR {has_format})" if with_deleted else has_format)
    args.append(f" {prefix} ")
    sql += " WHERE " + " AND ".join(where) + " ORDER BY t.datestamp, t.identifier"
    return sql, args


class Pool:
    """SQLite connections to one file, handed to one thread at a time (autocommit mode)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._idle: queue.LifoQueue[sqlite3.Connection] = queue.LifoQueue()
        self._all: list[sqlite3.Connection] = []

    @contextmanager
    def connection(self) -> Iterator[sqlite3.Connection]:
        """A connection for the duration of the ``with`` block."""
        try:
            conn = self._idle.get_nowait()
        except queue.Empty:
            conn = sqlite3.connect(
                self.path, check_same_thread=False, timeout=30, isolation_level=None
            )
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA cache_size = -32768")  # 32 MB; no mmap: RSS stays flat
            self._all.append(conn)
        try:
            yield conn
        finally:
            self._idle.put(conn)

    def close(self) -> None:
        """Close every connection."""
        for conn in self._all:
            conn.close()
        self._all.clear()
        while not self._idle.empty():
            self._idle.get_nowait()


def meta(conn: sqlite3.Connection, key: str) -> str | None:
    """A value of the ``meta`` table."""
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return row[0] if row else None


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[None]:
    """BEGIN … COMMIT (or ROLLBACK); nested uses join the outer transaction."""
    if conn.in_transaction:
        yield
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def fingerprint(paths: list[Path]) -> str:
    """Names, sizes and modification times of ``paths`` and the schema, hashed."""
    h = hashlib.sha256(SCHEMA.encode())
    for p in paths:
        st = p.stat()
        h.update(f"{p.name}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return h.hexdigest()
