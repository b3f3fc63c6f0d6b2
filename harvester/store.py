"""The state database: raw records, harvest checkpoints and run history (SQLite, WAL).

One file under the data directory, shared with the indexer (which adds its own tables
through ``StateDB.conn``). A page of records and the checkpoint that follows it commit in
one transaction, so a crash never loses or doubles a record. Every change to a raw record
bumps a global ``seq`` so later stages can ask "what changed since seq N".
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from harvester.errors import StoreError
from harvester.raw import Checkpoint, PageCounts, RawRecord, StoredRecord
from harvester.sqlite import connect

SCHEMA = """
CREATE TABLE IF NOT EXISTS raw_records (
    seq         INTEGER NOT NULL,
    source      TEXT NOT NULL,
    identifier  TEXT NOT NULL,
    prefix      TEXT NOT NULL,
    datestamp   TEXT NOT NULL,
    set_specs   TEXT NOT NULL DEFAULT '',
    deleted     INTEGER NOT NULL DEFAULT 0,
    xml         TEXT,
    first_seen  REAL NOT NULL,
    last_seen   REAL NOT NULL,
    PRIMARY KEY (source, identifier, prefix)
);
CREATE UNIQUE INDEX IF NOT EXISTS raw_records_seq ON raw_records(seq);
CREATE TABLE IF NOT EXISTS checkpoints (
    source      TEXT NOT NULL,
    set_spec    TEXT NOT NULL,
    prefix      TEXT NOT NULL,
    watermark   TEXT,          -- newest datestamp completely harvested (provider's format)
    token       TEXT,          -- resumption token of a list in progress, NULL when none
    token_from  TEXT,          -- the from/until the list in progress was started with
    token_until TEXT,
    updated     REAL NOT NULL,
    list_started TEXT,         -- provider time (responseDate) the list in progress began
    PRIMARY KEY (source, set_spec, prefix)
);
CREATE TABLE IF NOT EXISTS runs (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    source      TEXT NOT NULL,
    started     REAL NOT NULL,
    ended       REAL,
    status      TEXT NOT NULL,  -- running | ok | failed | interrupted | abandoned
    new         INTEGER NOT NULL DEFAULT 0,
    updated     INTEGER NOT NULL DEFAULT 0,
    deleted     INTEGER NOT NULL DEFAULT 0,
    unchanged   INTEGER NOT NULL DEFAULT 0,
    quarantined INTEGER NOT NULL DEFAULT 0,
    requests    INTEGER NOT NULL DEFAULT 0,
    error       TEXT
);
CREATE INDEX IF NOT EXISTS runs_source ON runs(source, started);
"""


class StateDB:
    """The state database. Thread-safe for one writer through ``transaction()``."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.conn = connect(self.path)
        self._lock = threading.RLock()
        try:
            with self.conn:
                self.conn.executescript(SCHEMA)
                self._add_columns()
        except sqlite3.Error as e:
            raise StoreError(f"cannot create tables in {self.path}: {e}") from e

    def _add_columns(self) -> None:
        """Columns added after the first schema, for databases created before them."""
        cols = {r[1] for r in self.conn.execute("PRAGMA table_info(checkpoints)")}
        if "list_started" not in cols:
            try:
                self.conn.execute("ALTER TABLE checkpoints ADD COLUMN list_started TEXT")
            except sqlite3.OperationalError as e:
                # another process opening the same database added it first
                if "duplicate column" not in str(e):
                    raise

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> StateDB:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One IMMEDIATE write transaction: all or nothing."""
        with self._lock:
            try:
                self.conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as e:
                raise StoreError(f"cannot write {self.path}: {e}") from e
            try:
                yield self.conn
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            else:
                self.conn.execute("COMMIT")

    # -- raw records ---------------------------------------------------------------------

    def _next_seq(self, conn: sqlite3.Connection) -> int:
        row = conn.execute("SELECT COALESCE(MAX(seq), 0) FROM raw_records").fetchone()
        return int(row[0]) + 1

    def store_page(
        self, records: Iterable[RawRecord], checkpoint: Checkpoint | None = None
    ) -> PageCounts:
        """Upsert a page of records and save the checkpoint after it, in one transaction.

        An unchanged record (same datestamp, deleted flag, sets and XML) only has its
        ``last_seen`` touched; its ``seq`` stays, so the indexer does not see it again.
        """
        counts = PageCounts()
        now = time.time()
        records = list(records)
        with self.transaction() as conn:
            seq = self._next_seq(conn)
            held = self._held(conn, records)
            inserts: list[tuple[object, ...]] = []
            updates: list[tuple[object, ...]] = []
            touches: list[tuple[object, ...]] = []
            for r in records:
                key = (r.source, r.identifier, r.prefix)
                state = (r.datestamp, int(r.deleted), " ".join(r.set_specs), r.xml)
                before = held.get(key)
                held[key] = state
                if before == state:
                    counts.unchanged += 1
                    touches.append((now, *key))
                    continue
                if r.deleted:
                    counts.deleted += 1
                elif before is None:
                    counts.new += 1
                else:
                    counts.updated += 1
                if before is None:
                    inserts.append((seq, *key, *state, now, now))
                else:
                    updates.append((seq, *state, now, *key))
                seq += 1
            # Inserts first: a record listed twice in one page is inserted, then updated.
            conn.executemany(
                "INSERT INTO raw_records (seq, source, identifier, prefix, datestamp,"
                " deleted, set_specs, xml, first_seen, last_seen) VALUES (?,?,?,?,?,?,?,?,?,?)",
                inserts,
            )
            conn.executemany(
                "UPDATE raw_records SET seq=?, datestamp=?, deleted=?, set_specs=?, xml=?,"
                " last_seen=? WHERE source=? AND identifier=? AND prefix=?",
                updates,
            )
            conn.executemany(
                "UPDATE raw_records SET last_seen=? WHERE source=? AND identifier=? AND prefix=?",
                touches,
            )
            if checkpoint is not None:
                self._save_checkpoint(conn, checkpoint)
        return counts

    def mark_unseen_deleted(self, source: str, prefix: str, seen_since: float) -> int:
        """Mark live records of ``source``/``prefix`` not seen since ``seen_since`` deleted.

        For providers that keep no deletions (``deletedRecord=no``): after a complete list
        of the whole repository, a record it no longer lists is gone. The XML is kept (a
        record that comes back is an update); each marked record gets a new ``seq``.
        """
        now = time.time()
        with self.transaction() as conn:
            gone = [
                r[0]
                for r in conn.execute(
                    "SELECT identifier FROM raw_records WHERE source=? AND prefix=?"
                    " AND deleted=0 AND last_seen < ? ORDER BY identifier",
                    (source, prefix, seen_since),
                )
            ]
            seq = self._next_seq(conn)
            conn.executemany(
                "UPDATE raw_records SET seq=?, deleted=1, last_seen=? WHERE source=?"
                " AND identifier=? AND prefix=?",
                [(seq + i, now, source, ident, prefix) for i, ident in enumerate(gone)],
            )
        return len(gone)

    @staticmethod
    def _held(
        conn: sqlite3.Connection, records: list[RawRecord]
    ) -> dict[tuple[str, str, str], tuple[str, int, str, str | None]]:
        """What the store holds for the page's records, read in a few queries."""
        wanted: dict[tuple[str, str], list[str]] = {}
        for r in records:
            wanted.setdefault((r.source, r.prefix), []).append(r.identifier)
        held: dict[tuple[str, str, str], tuple[str, int, str, str | None]] = {}
        for (source, prefix), ids in wanted.items():
            for i in range(0, len(ids), 500):
                chunk = ids[i : i + 500]
                rows = conn.execute(
                    "SELECT identifier, datestamp, deleted, set_specs, xml FROM raw_records"
                    " WHERE source=? AND prefix=? AND identifier IN"
                    f" ({','.join('?' * len(chunk))})",
                    (source, prefix, *chunk),
                )
                for ident, datestamp, deleted, sets, xml in rows:
                    held[(source, ident, prefix)] = (datestamp, int(deleted), sets, xml)
        return held

    def iter_changed(
        self, since_seq: int = 0, *, source: str | None = None, batch: int = 1000
    ) -> Iterator[StoredRecord]:
        """Records whose ``seq`` is above ``since_seq``, in ``seq`` order, read in batches."""
        last = since_seq
        while True:
            sql = (
                "SELECT seq, source, identifier, prefix, datestamp, set_specs, deleted, xml,"
                " first_seen, last_seen FROM raw_records WHERE seq > ?"
            )
            args: list[object] = [last]
            if source is not None:
                sql += " AND source = ?"
                args.append(source)
            sql += " ORDER BY seq LIMIT ?"
            args.append(batch)
            rows = self.conn.execute(sql, args).fetchall()
            if not rows:
                return
            for row in rows:
                yield _stored(row)
            last = rows[-1]["seq"]

    def get(self, source: str, identifier: str, prefix: str | None = None) -> StoredRecord | None:
        sql = (
            "SELECT seq, source, identifier, prefix, datestamp, set_specs, deleted, xml,"
            " first_seen, last_seen FROM raw_records WHERE source=? AND identifier=?"
        )
        args: list[object] = [source, identifier]
        if prefix is not None:
            sql += " AND prefix=?"
            args.append(prefix)
        row = self.conn.execute(sql + " ORDER BY seq DESC LIMIT 1", args).fetchone()
        return _stored(row) if row else None

    def max_seq(self) -> int:
        return int(self.conn.execute("SELECT COALESCE(MAX(seq), 0) FROM raw_records").fetchone()[0])

    def counts(self, source: str) -> tuple[int, int]:
        """(records held, deletions) for a source."""
        row = self.conn.execute(
            "SELECT COALESCE(SUM(deleted = 0), 0), COALESCE(SUM(deleted = 1), 0)"
            " FROM raw_records WHERE source=?",
            (source,),
        ).fetchone()
        return int(row[0]), int(row[1])

    # -- checkpoints ---------------------------------------------------------------------

    def checkpoint(self, source: str, set_spec: str, prefix: str) -> Checkpoint:
        row = self.conn.execute(
            "SELECT watermark, token, token_from, token_until, list_started FROM checkpoints"
            " WHERE source=? AND set_spec=? AND prefix=?",
            (source, set_spec, prefix),
        ).fetchone()
        if row is None:
            return Checkpoint(source, set_spec, prefix)
        return Checkpoint(source, set_spec, prefix, *tuple(row))

    def save_checkpoint(self, cp: Checkpoint) -> None:
        with self.transaction() as conn:
            self._save_checkpoint(conn, cp)

    @staticmethod
    def _save_checkpoint(conn: sqlite3.Connection, cp: Checkpoint) -> None:
        conn.execute(
            "INSERT INTO checkpoints (source, set_spec, prefix, watermark, token, token_from,"
            " token_until, list_started, updated) VALUES (?,?,?,?,?,?,?,?,?)"
            " ON CONFLICT(source, set_spec, prefix) DO UPDATE SET watermark=excluded.watermark,"
            " token=excluded.token, token_from=excluded.token_from,"
            " token_until=excluded.token_until, list_started=excluded.list_started,"
            " updated=excluded.updated",
            (
                cp.source,
                cp.set_spec,
                cp.prefix,
                cp.watermark,
                cp.token,
                cp.token_from,
                cp.token_until,
                cp.list_started,
                time.time(),
            ),
        )

    # -- runs ------------------------------------------------------------------------------

    def start_run(self, source: str) -> int:
        with self.transaction() as conn:
            cur = conn.execute(
                "INSERT INTO runs (source, started, status) VALUES (?, ?, 'running')",
                (source, time.time()),
            )
            return int(cur.lastrowid or 0)

    def abandon_runs(self, source: str) -> int:
        """Mark runs of ``source`` still 'running' (their process died) as 'abandoned'."""
        with self.transaction() as conn:
            cur = conn.execute(
                "UPDATE runs SET status='abandoned', error=COALESCE(error,"
                " 'the harvest process ended before finishing this run')"
                " WHERE source=? AND status='running'",
                (source,),
            )
            return cur.rowcount

    def finish_run(
        self,
        run_id: int,
        status: str,
        counts: PageCounts,
        *,
        requests: int = 0,
        quarantined: int = 0,
        error: str | None = None,
    ) -> None:
        with self.transaction() as conn:
            conn.execute(
                "UPDATE runs SET ended=?, status=?, new=?, updated=?, deleted=?, unchanged=?,"
                " requests=?, quarantined=?, error=? WHERE id=?",
                (
                    time.time(),
                    status,
                    counts.new,
                    counts.updated,
                    counts.deleted,
                    counts.unchanged,
                    requests,
                    quarantined,
                    error,
                    run_id,
                ),
            )

    def last_run(self, source: str) -> sqlite3.Row | None:
        return self.conn.execute(
            "SELECT * FROM runs WHERE source=? ORDER BY id DESC LIMIT 1", (source,)
        ).fetchone()

    def runs(self, source: str | None = None, limit: int = 50) -> list[sqlite3.Row]:
        if source is None:
            return self.conn.execute(
                "SELECT * FROM runs ORDER BY id DESC LIMIT ?", (limit,)
            ).fetchall()
        return self.conn.execute(
            "SELECT * FROM runs WHERE source=? ORDER BY id DESC LIMIT ?", (source, limit)
        ).fetchall()


def _stored(row: sqlite3.Row) -> StoredRecord:
    rec = RawRecord(
        source=row["source"],
        identifier=row["identifier"],
        prefix=row["prefix"],
        datestamp=row["datestamp"],
        set_specs=tuple(row["set_specs"].split()) if row["set_specs"] else (),
        deleted=bool(row["deleted"]),
        xml=row["xml"],
    )
    return StoredRecord(row["seq"], rec, row["first_seen"], row["last_seen"])


__all__ = ["Checkpoint", "PageCounts", "RawRecord", "StateDB", "StoredRecord", "connect"]
