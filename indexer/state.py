"""The indexer's tables, in the same state database file as the raw store (``StateDB.conn``).

``records``      one normalised ``Record`` (as JSON) per record id ("<source>:<OAI id>");
                 ``seq`` is the raw store's seq it was made from; ``rev`` grows on every
                 change of the row (new, changed, deleted; ``touch_records`` when a
                 librarian's decision moves its cluster), so later stages (dedup, the
                 search backend) ask ``changed_record_ids(db, since_rev)`` for their work.
                 A deletion keeps the row as a tombstone (``deleted=1``, ``json`` NULL).
                 ``prefix`` is the metadataPrefix the record was made from: when a
                 provider is harvested in two formats, the richer one (MARC) is kept.
``quarantine``   raw records that could not be normalised: step, reason, seq, time.
``index_state``  key/value: ``normalised_seq`` (last raw seq normalised), ``records_rev``.

Readers for the other parts of the indexer and for ``birlik status``: ``iter_records``,
``get_record``, ``changed_record_ids``, ``quarantined``, ``quarantine_counts``,
``record_counts``; one writer besides normalisation, ``touch_records``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from harvester.store import StateDB
from indexer.errors import BackendError
from indexer.record import Record

SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    id       TEXT PRIMARY KEY,
    source   TEXT NOT NULL,
    oai_id   TEXT NOT NULL,
    prefix   TEXT NOT NULL DEFAULT '',
    seq      INTEGER NOT NULL,
    rev      INTEGER NOT NULL,
    deleted  INTEGER NOT NULL DEFAULT 0,
    json     TEXT,
    updated  REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS records_rev ON records(rev);
CREATE INDEX IF NOT EXISTS records_source ON records(source);
CREATE TABLE IF NOT EXISTS quarantine (
    source     TEXT NOT NULL,
    identifier TEXT NOT NULL,
    prefix     TEXT NOT NULL,
    step       TEXT NOT NULL,
    reason     TEXT NOT NULL,
    seq        INTEGER NOT NULL,
    at         REAL NOT NULL,
    PRIMARY KEY (source, identifier, prefix)
);
CREATE TABLE IF NOT EXISTS index_state (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""

NORMALISED_SEQ = "normalised_seq"
RECORDS_REV = "records_rev"


def ensure_schema(db: StateDB) -> None:
    """Create the indexer's tables if they are missing (idempotent)."""
    try:
        with db.transaction() as conn:
            for stmt in SCHEMA.split(";"):
                if stmt.strip():
                    conn.execute(stmt)
            cols = {r[1] for r in conn.execute("PRAGMA table_info(records)").fetchall()}
            if "prefix" not in cols:  # a database from before the column existed
                conn.execute("ALTER TABLE records ADD COLUMN prefix TEXT NOT NULL DEFAULT ''")
    except sqlite3.Error as e:
        raise BackendError(f"cannot create the indexer's tables in {db.path}: {e}") from e


Source = StateDB | sqlite3.Connection
"""What the readers below read from: the state database, or a (read-only) connection to
it such as the web UI holds."""


def _conn(db: Source) -> sqlite3.Connection:
    return db if isinstance(db, sqlite3.Connection) else db.conn


def _has_tables(db: Source) -> bool:
    """True once ``ensure_schema`` has run on this database (readers before the first
    index run see nothing rather than an error)."""
    row = (
        _conn(db)
        .execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='quarantine'")
        .fetchone()
    )
    return row is not None


def get_state(conn: sqlite3.Connection, key: str, default: int = 0) -> int:
    row = conn.execute("SELECT value FROM index_state WHERE key=?", (key,)).fetchone()
    return int(row[0]) if row else default


def set_state(conn: sqlite3.Connection, key: str, value: int) -> None:
    conn.execute(
        "INSERT INTO index_state (key, value) VALUES (?, ?)"
        " ON CONFLICT(key) DO UPDATE SET value=excluded.value",
        (key, str(value)),
    )


@dataclass(frozen=True)
class QuarantineEntry:
    source: str
    identifier: str
    prefix: str
    step: str
    reason: str
    seq: int
    at: float


@dataclass(frozen=True)
class RecordChange:
    """One changed row of ``records``: ``record`` is None for a deletion."""

    id: str
    rev: int
    deleted: bool
    record: Record | None


def iter_records(db: StateDB, *, source: str | None = None, batch: int = 1000) -> Iterator[Record]:
    """Every live (not deleted) normalised record, in id order, read in batches."""
    if not _has_tables(db):
        return
    last = ""
    while True:
        sql = "SELECT id, json FROM records WHERE deleted=0 AND id > ?"
        args: list[object] = [last]
        if source is not None:
            sql += " AND source=?"
            args.append(source)
        rows = db.conn.execute(sql + " ORDER BY id LIMIT ?", (*args, batch)).fetchall()
        if not rows:
            return
        for row in rows:
            yield Record.from_json(row["json"])
        last = rows[-1]["id"]


def get_record(db: Source, record_id: str) -> Record | None:
    if not _has_tables(db):
        return None
    row = (
        _conn(db)
        .execute("SELECT json FROM records WHERE id=? AND deleted=0", (record_id,))
        .fetchone()
    )
    return Record.from_json(row["json"]) if row else None


def changed_record_ids(db: StateDB, since_rev: int = 0) -> Iterator[RecordChange]:
    """Rows changed after revision ``since_rev`` (new, updated and deleted), in rev order.

    A consumer keeps the highest ``rev`` it has processed and asks again from there;
    ``current_rev(db)`` is where a full rebuild can start counting.
    """
    if not _has_tables(db):
        return
    last = since_rev
    while True:
        rows = db.conn.execute(
            "SELECT id, rev, deleted, json FROM records WHERE rev > ? ORDER BY rev LIMIT 1000",
            (last,),
        ).fetchall()
        if not rows:
            return
        for row in rows:
            rec = None if row["deleted"] else Record.from_json(row["json"])
            yield RecordChange(row["id"], row["rev"], bool(row["deleted"]), rec)
        last = rows[-1]["rev"]


def current_rev(db: StateDB) -> int:
    if not _has_tables(db):
        return 0
    return get_state(db.conn, RECORDS_REV)


def touch_records(conn: sqlite3.Connection, record_ids: Iterable[str]) -> int:
    """Give each row of ``record_ids`` a new revision, inside the caller's transaction.

    For a change the later stages must see although the record itself did not change (a
    librarian's decision moved its cluster): every backend's next incremental run takes
    it as changed and writes its document again. Ids without a row are skipped; a
    tombstone stays one. Returns the number of rows touched.
    """
    if not _has_tables(conn):
        return 0
    rev = get_state(conn, RECORDS_REV)
    touched = 0
    for rid in sorted(set(record_ids)):
        cur = conn.execute("UPDATE records SET rev=? WHERE id=?", (rev + 1, rid))
        if cur.rowcount:
            rev += 1
            touched += 1
    if touched:
        set_state(conn, RECORDS_REV, rev)
    return touched


def quarantined(
    db: Source, *, source: str | None = None, limit: int = 100
) -> list[QuarantineEntry]:
    """Quarantined raw records, newest first."""
    if not _has_tables(db):
        return []
    sql = "SELECT source, identifier, prefix, step, reason, seq, at FROM quarantine"
    args: list[object] = []
    if source is not None:
        sql += " WHERE source=?"
        args.append(source)
    rows = _conn(db).execute(sql + " ORDER BY at DESC, seq DESC LIMIT ?", (*args, limit))
    return [QuarantineEntry(*tuple(r)) for r in rows.fetchall()]


def quarantine_counts(db: Source) -> dict[str, int]:
    """Quarantined records per source."""
    if not _has_tables(db):
        return {}
    rows = _conn(db).execute("SELECT source, COUNT(*) FROM quarantine GROUP BY source")
    return {r[0]: int(r[1]) for r in rows.fetchall()}


def record_counts(db: Source) -> dict[str, int]:
    """Live normalised records per source."""
    if not _has_tables(db):
        return {}
    rows = _conn(db).execute("SELECT source, COUNT(*) FROM records WHERE deleted=0 GROUP BY source")
    return {r[0]: int(r[1]) for r in rows.fetchall()}
