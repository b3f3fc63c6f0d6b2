"""A provider's collection: the items of one OAI-PMH repository, in SQLite.

Items live in a SQLite file (given, or a temporary one removed on ``close``), so a million
records are served without living in memory; every list page is an index range scan
(``storage``). Loading streams the record files (``loader``). ``put`` and ``delete`` bump
the item's datestamp and the collection ``version``, so incremental harvesting can be
tested against a live provider.
"""

from __future__ import annotations

import json
import os
import secrets
import sqlite3
import tempfile
from collections.abc import Iterable, Mapping
from contextlib import AbstractContextManager
from dataclasses import asdict
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
from harvester.provider.storage import (
    BULK_END,
    BULK_START,
    KNOWN_SCHEMAS,
    SCHEMA,
    Pool,
    ancestors,
    fingerprint,
    formats_key,
    meta,
    select_items,
    transaction,
)

ItemRow = tuple[str, str, int, str, str | None]  # identifier, datestamp, deleted, sets, xml


class Collection:
    """Items of one OAI-PMH repository in a SQLite file; safe to share between threads."""

    def __init__(
        self, repository: Repository | None = None, db_path: str | Path | None = None
    ) -> None:
        self._temp = db_path is None
        if db_path is None:
            fd, name = tempfile.mkstemp(prefix="birlik-provider-", suffix=".sqlite3")
            os.close(fd)
            db_path = Path(name)
        self.db_path = Path(db_path)
        self._pool = Pool(self.db_path)
        with self.connection() as conn:
            conn.executescript(SCHEMA)
            stored = meta(conn, "repository")
            if repository is None and stored:  # reopening a kept database
                data = json.loads(stored)
                data["sets"] = tuple((spec, name) for spec, name in data["sets"])
                repository = Repository(**data)
            repository = repository or Repository()
            conn.execute(
                "INSERT OR REPLACE INTO meta VALUES ('repository', ?)",
                (json.dumps(asdict(repository)),),
            )
            if meta(conn, "secret") is None:
                conn.execute("INSERT INTO meta VALUES ('secret', ?)", (secrets.token_hex(16),))
                conn.execute("INSERT INTO meta VALUES ('version', '0')")
            self.secret = bytes.fromhex(meta(conn, "secret") or "")
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
        stamp = fingerprint([path / "repository.toml", *files])
        if db_path is not None and Path(db_path).exists():
            existing = cls(repository, Path(db_path))
            with existing.connection() as conn:
                if meta(conn, "fingerprint") == stamp:
                    return existing
            existing.close()
            for suffix in ("", "-wal", "-shm"):
                Path(str(db_path) + suffix).unlink(missing_ok=True)
        collection = cls(repository, Path(db_path) if db_path is not None else None)
        try:
            collection.load(item for f in files for item in read_items(f))
            with collection.connection() as conn:
                conn.execute("INSERT OR REPLACE INTO meta VALUES ('fingerprint', ?)", (stamp,))
        except BaseException:
            collection.close()
            raise
        return collection

    def load(self, items: Iterable[Item], batch: int = 5000) -> int:
        """Insert new items in batches; a duplicate identifier is an error. Returns count."""
        count = 0
        chunk: list[Item] = []
        with self.connection() as conn:
            bulk = conn.execute("SELECT 1 FROM items LIMIT 1").fetchone() is None
            sets_table = "temp.item_sets_load" if bulk else "item_sets"
            conn.execute("PRAGMA synchronous = OFF")
            if bulk:
                conn.executescript(BULK_START)
            try:
                for item in items:
                    chunk.append(item)
                    if len(chunk) >= batch:
                        count += self._insert(conn, chunk, sets_table)
                        chunk = []
                count += self._insert(conn, chunk, sets_table)
            finally:
                if bulk:
                    conn.executescript(BULK_END)
                conn.execute("PRAGMA synchronous = NORMAL")
            self._bump(conn)
        return count

    def _insert(
        self, conn: sqlite3.Connection, chunk: list[Item], sets_table: str = "item_sets"
    ) -> int:
        formats: dict[str, str] = {}
        for item in chunk:
            formats.update(item.namespaces)
        try:
            with transaction(conn):
                rows = [
                    (i.identifier, i.datestamp, int(i.deleted), formats_key(i.metadata),
                     " ".join(i.sets))
                    for i in chunk
                ]  # fmt: skip
                conn.executemany("INSERT INTO items VALUES (?, ?, ?, ?, ?)", rows)
                conn.executemany(
                    "INSERT INTO metadata VALUES (?, ?, ?)",
                    [(i.identifier, p, x) for i in chunk for p, x in i.metadata.items()],
                )
                conn.executemany(
                    f"INSERT OR IGNORE INTO {sets_table} VALUES (?, ?, ?, ?, ?, ?)",
                    [
                        (a, *row)
                        for i, row in zip(chunk, rows, strict=True)
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
        """Add or replace an item; returns its new datestamp.

        Without ``datestamp`` it is now, or a second after the item's previous one, so a
        change is always newer. An explicit datestamp is taken as given: one older than
        a harvester's watermark hides the change from incremental harvesting, as on any
        real repository.
        """
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
            return int(meta(conn, "version") or 0)

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

    def sample_identifier(self) -> str:
        """An identifier the collection holds (for Identify), or a made-up one if empty."""
        prefix = self.repository.identifier_prefix
        with self.connection() as conn:
            row = conn.execute(
                "SELECT identifier FROM items WHERE identifier >= ? ORDER BY identifier LIMIT 1",
                (prefix,),
            ).fetchone()
        return row[0] if row and row[0].startswith(prefix) else f"{prefix}1"

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
        with_deleted = self.repository.deleted_record != "no"
        return select_items(prefix, set_spec, lo, hi, after, with_metadata, with_deleted)

    # -- connections --------------------------------------------------------------------

    def connection(self) -> AbstractContextManager[sqlite3.Connection]:
        """A pooled connection, for one thread at a time."""
        return self._pool.connection()

    def close(self) -> None:
        """Close every connection; a temporary database file is removed."""
        self._pool.close()
        if self._temp:
            for suffix in ("", "-wal", "-shm"):
                Path(str(self.db_path) + suffix).unlink(missing_ok=True)

    def __enter__(self) -> Collection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
