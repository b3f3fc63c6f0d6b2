"""A provider's collection: items in SQLite, paged by index range scans.

Items live in a SQLite file (given, or a temporary one removed on ``close``), so a million
records are served without living in memory. ``items(datestamp, identifier)`` (covering)
and ``item_sets(spec, datestamp, identifier)`` are the indexes every list page walks; the
large metadata rows sit in a rowid table (one index seek each), not a WITHOUT ROWID one,
which halves the page time measured at 100k records. A set
row exists for each setSpec an item is in *and each of its ancestors* (``lang:aze`` puts
the item in ``lang`` too), so hierarchical set selection is a range scan as well.
``put`` and ``delete`` bump the item's datestamp and the collection ``version``, so
incremental harvesting can be tested against a live provider.
"""

from __future__ import annotations

import hashlib
import json
import os
import queue
import secrets
import sqlite3
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict
from functools import lru_cache
from pathlib import Path

from lxml import etree

from harvester.provider import dates
from harvester.provider.loader import (
    Item,
    check_identifier,
    check_sets,
    read_items,
    record_files,
)
from harvester.provider.repository import CollectionError, Repository

SCHEMA = """
PRAGMA journal_mode = WAL;
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS items (
    identifier TEXT PRIMARY KEY, datestamp TEXT NOT NULL,
    deleted INTEGER NOT NULL, sets TEXT NOT NULL) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS items_by_date ON items (datestamp, identifier, deleted, sets);
CREATE TABLE IF NOT EXISTS metadata (
    identifier TEXT NOT NULL, prefix TEXT NOT NULL, xml TEXT NOT NULL);
CREATE UNIQUE INDEX IF NOT EXISTS metadata_key ON metadata (identifier, prefix);
CREATE TABLE IF NOT EXISTS item_sets (
    spec TEXT NOT NULL, datestamp TEXT NOT NULL, identifier TEXT NOT NULL,
    PRIMARY KEY (spec, datestamp, identifier)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS formats (
    prefix TEXT PRIMARY KEY, schema TEXT NOT NULL, namespace TEXT NOT NULL);
"""

# Schema locations of the formats we know; others announce their namespace as schema.
KNOWN_SCHEMAS = {
    "http://www.openarchives.org/OAI/2.0/oai_dc/": "http://www.openarchives.org/OAI/2.0/oai_dc.xsd",
    "http://www.loc.gov/MARC21/slim": "http://www.loc.gov/standards/marcxml/schema/MARC21slim.xsd",
    "http://www.loc.gov/mods/v3": "http://www.loc.gov/standards/mods/v3/mods-3-8.xsd",
}

ItemRow = tuple[str, str, int, str, str | None]  # identifier, datestamp, deleted, sets, xml


@lru_cache(maxsize=4096)
def ancestors(spec: str) -> tuple[str, ...]:
    """``a:b:c`` → ``("a", "a:b", "a:b:c")``: every set an item in ``spec`` belongs to."""
    parts = spec.split(":")
    return tuple(":".join(parts[: n + 1]) for n in range(len(parts)))


class Collection:
    """Items of one OAI-PMH repository in a SQLite file; safe to share between threads."""

    def __init__(self, repository: Repository | None = None, db_path: Path | None = None) -> None:
        self._temp = db_path is None
        if db_path is None:
            fd, name = tempfile.mkstemp(prefix="birlik-provider-", suffix=".sqlite3")
            os.close(fd)
            db_path = Path(name)
        self.db_path = Path(db_path)
        self._pool: queue.LifoQueue[sqlite3.Connection] = queue.LifoQueue()
        self._all: list[sqlite3.Connection] = []
        with self.connection() as conn:
            conn.executescript(SCHEMA)
            stored = self._meta(conn, "repository")
            if repository is None:
                repository = Repository(**json.loads(stored)) if stored else Repository()
                repository = Repository(
                    **{**asdict(repository), "sets": tuple(tuple(s) for s in repository.sets)}
                )
            conn.execute(
                "INSERT OR REPLACE INTO meta VALUES ('repository', ?)",
                (json.dumps(asdict(repository)),),
            )
            if self._meta(conn, "secret") is None:
                conn.execute("INSERT INTO meta VALUES ('secret', ?)", (secrets.token_hex(16),))
                conn.execute("INSERT INTO meta VALUES ('version', '0')")
            self.secret = bytes.fromhex(self._meta(conn, "secret") or "")
        self.repository = repository

    # -- construction -------------------------------------------------------------------

    @classmethod
    def from_directory(cls, path: str | Path, db_path: str | Path | None = None) -> Collection:
        """Load a collection directory (``repository.toml`` + ``records/*.xml``).

        With ``db_path`` the database is kept: if it was built from the same files
        (same names, sizes and modification times) it is reused as it is.
        """
        path = Path(path)
        repository = Repository.from_toml(path / "repository.toml")
        files = record_files(path)
        fingerprint = _fingerprint([path / "repository.toml", *files])
        if db_path is not None and Path(db_path).exists():
            existing = cls(repository, Path(db_path))
            with existing.connection() as conn:
                if cls._meta(conn, "fingerprint") == fingerprint:
                    return existing
            existing.close()
            for suffix in ("", "-wal", "-shm"):
                Path(str(db_path) + suffix).unlink(missing_ok=True)
        collection = cls(repository, Path(db_path) if db_path is not None else None)
        try:
            collection.load(item for f in files for item in read_items(f))
            with collection.connection() as conn:
                conn.execute(
                    "INSERT OR REPLACE INTO meta VALUES ('fingerprint', ?)", (fingerprint,)
                )
        except BaseException:
            collection.close()
            raise
        return collection

    def load(self, items: Iterable[Item], batch: int = 5000) -> int:
        """Insert new items in batches; a duplicate identifier is an error. Returns count."""
        count = 0
        chunk: list[Item] = []
        with self.connection() as conn:
            conn.execute("PRAGMA synchronous = OFF")
            for item in items:
                chunk.append(item)
                if len(chunk) >= batch:
                    count += self._insert(conn, chunk)
                    chunk = []
            count += self._insert(conn, chunk)
            conn.execute("PRAGMA synchronous = NORMAL")
            self._bump(conn)
        return count

    def _insert(self, conn: sqlite3.Connection, chunk: list[Item]) -> int:
        formats: dict[str, str] = {}
        for item in chunk:
            formats.update(item.namespaces)
        try:
            with transaction(conn):
                conn.executemany(
                    "INSERT INTO items VALUES (?, ?, ?, ?)",
                    [(i.identifier, i.datestamp, int(i.deleted), " ".join(i.sets)) for i in chunk],
                )
                conn.executemany(
                    "INSERT INTO metadata VALUES (?, ?, ?)",
                    [(i.identifier, p, x) for i in chunk for p, x in i.metadata.items()],
                )
                conn.executemany(
                    "INSERT OR IGNORE INTO item_sets VALUES (?, ?, ?)",
                    [
                        (a, i.datestamp, i.identifier)
                        for i in chunk
                        for s in i.sets
                        for a in ancestors(s)
                    ],
                )
                self._add_formats(conn, formats)
        except sqlite3.IntegrityError:
            seen: set[str] = set()
            for item in chunk:
                known = conn.execute(
                    "SELECT 1 FROM items WHERE identifier = ?", (item.identifier,)
                ).fetchone()
                if known or item.identifier in seen:
                    raise CollectionError(
                        f"identifier {item.identifier!r} appears more than once"
                    ) from None
                seen.add(item.identifier)
            raise
        return len(chunk)

    @staticmethod
    def _add_formats(conn: sqlite3.Connection, formats: Mapping[str, str]) -> None:
        conn.executemany(
            "INSERT OR IGNORE INTO formats VALUES (?, ?, ?)",
            [(p, KNOWN_SCHEMAS.get(ns, ns), ns) for p, ns in formats.items()],
        )

    # -- changes ------------------------------------------------------------------------

    def put(
        self,
        identifier: str,
        metadata: Mapping[str, str],
        datestamp: str | None = None,
        sets: Iterable[str] = (),
        deleted: bool = False,
    ) -> str:
        """Add or replace an item; returns its new datestamp (now, or later than before)."""
        where = f"put({identifier!r})"
        check_identifier(identifier, where)
        sets = tuple(sets)
        check_sets(sets, where)
        if deleted and metadata:
            raise CollectionError(f"{where}: a deleted item carries no metadata")
        if not deleted and not metadata:
            raise CollectionError(f"{where}: an item that is not deleted needs metadata")
        xml: dict[str, str] = {}
        namespaces: dict[str, str] = {}
        for prefix, text in metadata.items():
            try:
                root = etree.fromstring(text.encode("utf-8"))
            except etree.XMLSyntaxError as exc:
                raise CollectionError(f"{where}: metadata {prefix!r}: {exc}") from None
            xml[prefix] = etree.tostring(root, encoding="unicode")
            namespaces[prefix] = etree.QName(root).namespace or ""
        with self.connection() as conn, transaction(conn):
            stamp = self._next_datestamp(conn, identifier, datestamp, where)
            conn.execute("DELETE FROM items WHERE identifier = ?", (identifier,))
            conn.execute("DELETE FROM metadata WHERE identifier = ?", (identifier,))
            conn.execute("DELETE FROM item_sets WHERE identifier = ?", (identifier,))
            item = Item(identifier, stamp, deleted, sets, xml, namespaces)
            self._insert(conn, [item])
            self._bump(conn)
        return stamp

    def delete(self, identifier: str, datestamp: str | None = None) -> str:
        """Mark an item deleted (its metadata goes, its sets stay); returns its datestamp."""
        with self.connection() as conn:
            row = conn.execute(
                "SELECT sets FROM items WHERE identifier = ?", (identifier,)
            ).fetchone()
        if row is None:
            raise CollectionError(f"delete({identifier!r}): no such item")
        return self.put(identifier, {}, datestamp, row[0].split(), deleted=True)

    def _next_datestamp(
        self, conn: sqlite3.Connection, identifier: str, datestamp: str | None, where: str
    ) -> str:
        if datestamp is not None:
            try:
                return dates.normalise(datestamp)
            except dates.BadDate as exc:
                raise CollectionError(f"{where}: datestamp: {exc}") from None
        stamp = dates.now()
        row = conn.execute(
            "SELECT datestamp FROM items WHERE identifier = ?", (identifier,)
        ).fetchone()
        if row is not None and row[0] >= stamp:
            stamp = dates.after(row[0])
        return stamp

    @staticmethod
    def _bump(conn: sqlite3.Connection) -> None:
        conn.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'version'")

    # -- queries ------------------------------------------------------------------------

    @property
    def version(self) -> int:
        """A number that changes whenever an item changes."""
        with self.connection() as conn:
            return int(self._meta(conn, "version") or 0)

    def formats(self, identifier: str | None = None) -> list[tuple[str, str, str]]:
        """``(prefix, schema, namespace)`` offered by the repository, or by one item."""
        with self.connection() as conn:
            if identifier is None:
                sql = "SELECT prefix, schema, namespace FROM formats ORDER BY prefix"
                return list(conn.execute(sql))
            sql = (
                "SELECT f.prefix, f.schema, f.namespace FROM metadata m"
                " JOIN formats f ON f.prefix = m.prefix WHERE m.identifier = ? ORDER BY f.prefix"
            )
            return list(conn.execute(sql, (identifier,)))

    def sets(self) -> list[tuple[str, str]]:
        """``(setSpec, setName)``: the declared sets, plus those items use and their parents."""
        named = dict(self.repository.sets)
        with self.connection() as conn:
            used = [r[0] for r in conn.execute("SELECT DISTINCT spec FROM item_sets")]
        for spec in used:
            named.setdefault(spec, spec)
        return sorted(named.items())

    def get(self, identifier: str, prefix: str) -> ItemRow | None:
        """One item with its metadata in ``prefix`` (xml None if it has none)."""
        with self.connection() as conn:
            return conn.execute(
                "SELECT i.identifier, i.datestamp, i.deleted, i.sets, m.xml FROM items i"
                " LEFT JOIN metadata m ON m.identifier = i.identifier AND m.prefix = ?"
                " WHERE i.identifier = ?",
                (prefix, identifier),
            ).fetchone()

    def exists(self, identifier: str) -> bool:
        """Whether the collection has (or had, if deleted) this identifier."""
        with self.connection() as conn:
            sql = "SELECT 1 FROM items WHERE identifier = ?"
            return conn.execute(sql, (identifier,)).fetchone() is not None

    def earliest_datestamp(self) -> str:
        """The earliest datestamp: the declared one, or an item's if earlier."""
        with self.connection() as conn:
            row = conn.execute("SELECT MIN(datestamp) FROM items").fetchone()
        candidates = [d for d in (self.repository.earliest_datestamp, row[0]) if d]
        return min(candidates) if candidates else dates.now()

    def page(
        self,
        prefix: str,
        set_spec: str | None,
        lo: str,
        hi: str | None,
        after: tuple[str, str],
        limit: int,
        with_metadata: bool = True,
    ) -> list[ItemRow]:
        """Up to ``limit`` items after the key ``after``, in (datestamp, identifier) order."""
        sql, args = self._select(prefix, set_spec, lo, hi, after, with_metadata)
        with self.connection() as conn:
            return conn.execute(sql + " LIMIT ?", (*args, limit)).fetchall()

    def count(
        self,
        prefix: str,
        set_spec: str | None,
        lo: str,
        hi: str | None,
        after: tuple[str, str] = ("", ""),
    ) -> int:
        """How many items a list selects after the key ``after``."""
        sql, args = self._select(prefix, set_spec, lo, hi, after, False)
        with self.connection() as conn:
            return int(conn.execute(f"SELECT COUNT(*) FROM ({sql})", args).fetchone()[0])

    def _select(
        self,
        prefix: str,
        set_spec: str | None,
        lo: str,
        hi: str | None,
        after: tuple[str, str],
        with_metadata: bool,
    ) -> tuple[str, list[object]]:
        key = "s" if set_spec is not None else "i"
        xml = "m.xml" if with_metadata else "NULL"
        sql = f"SELECT i.identifier, i.datestamp, i.deleted, i.sets, {xml}"
        if set_spec is not None:
            sql += " FROM item_sets s JOIN items i ON i.identifier = s.identifier"
        else:
            sql += " FROM items i"
        sql += " LEFT JOIN metadata m ON m.identifier = i.identifier AND m.prefix = ?"
        args: list[object] = [prefix]
        where = [f"({key}.datestamp, {key}.identifier) > (?, ?)", f"{key}.datestamp >= ?"]
        args += [after[0], after[1], lo]
        if set_spec is not None:
            where.insert(0, "s.spec = ?")
            args.insert(1, set_spec)
        if hi is not None:
            where.append(f"{key}.datestamp <= ?")
            args.append(hi)
        if self.repository.deleted_record == "no":
            where.append("m.prefix IS NOT NULL")
        else:
            where.append("(m.prefix IS NOT NULL OR i.deleted)")
        sql += " WHERE " + " AND ".join(where)
        sql += f" ORDER BY {key}.datestamp, {key}.identifier"
        return sql, args

    # -- connections --------------------------------------------------------------------

    @contextmanager
    def connection(self) -> Iterator[sqlite3.Connection]:
        """A pooled connection, for one thread at a time."""
        try:
            conn = self._pool.get_nowait()
        except queue.Empty:
            conn = sqlite3.connect(
                self.db_path, check_same_thread=False, timeout=30, isolation_level=None
            )
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA cache_size = -32768")
            conn.execute("PRAGMA mmap_size = 1073741824")
            self._all.append(conn)
        try:
            yield conn
        finally:
            self._pool.put(conn)

    @staticmethod
    def _meta(conn: sqlite3.Connection, key: str) -> str | None:
        row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def close(self) -> None:
        """Close every connection; a temporary database file is removed."""
        for conn in self._all:
            conn.close()
        self._all.clear()
        while not self._pool.empty():
            self._pool.get_nowait()
        if self._temp:
            for suffix in ("", "-wal", "-shm"):
                Path(str(self.db_path) + suffix).unlink(missing_ok=True)

    def __enter__(self) -> Collection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


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


def _fingerprint(paths: list[Path]) -> str:
    h = hashlib.sha256()
    for p in paths:
        st = p.stat()
        h.update(f"{p.name}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return h.hexdigest()
