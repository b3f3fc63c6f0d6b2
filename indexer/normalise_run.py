"""Normalise what changed in the raw store into the ``records`` table (``birlik index``).

Reads raw records whose ``seq`` is above the last normalised one (all of them with
``rebuild=True``, which never touches the network), normalises each, and writes, updates
or tombstones its row in ``records``. A record that fails goes to ``quarantine`` with the
step and the reason, and the run goes on; its previous normalised version, if any, stays
(nothing already stored is lost). A quarantined record that later normalises leaves the
quarantine. A provider harvested in two formats yields one record, the richer (MARC over
oai_dc); a deletion in any format deletes it, as OAI-PMH deletes items, not formats.
Work is committed in batches together with the ``normalised_seq`` reached, so
an interrupted run resumes where it stopped.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from harvester.store import StateDB, StoredRecord
from indexer.normalise_pool import NormalisePool, Outcome, outcomes
from indexer.record import record_id
from indexer.state import (
    NORMALISED_SEQ,
    RECORDS_REV,
    ensure_schema,
    get_state,
    set_state,
)

log = logging.getLogger(__name__)

BATCH = 500
POOL_MIN = 5_000
"""Runs smaller than this are normalised in-process: starting workers costs more."""
# When one provider is harvested in several formats, the richer record wins.
_RICHNESS = {"marc21": 2, "unimarc": 2, "rusmarc": 2, "oai_dc": 1}


@dataclass
class NormaliseSummary:
    """What one run did (``unchanged``: re-normalised to the very same record)."""

    normalised: int = 0
    deleted: int = 0
    quarantined: int = 0
    released: int = 0  # left the quarantine because they normalise now
    unchanged: int = 0
    seen: int = 0
    last_seq: int = 0
    seconds: float = 0.0
    stopped: bool = False

    @property
    def rate(self) -> float:
        return self.seen / self.seconds if self.seconds > 0 else 0.0

    def line(self) -> str:
        return (
            f"normalised {self.normalised}, deleted {self.deleted}, quarantined"
            f" {self.quarantined}, unchanged {self.unchanged} in {self.seconds:.1f} s"
            f" ({self.rate:.0f} records/s)"
        )


def normalise_changed(
    db: StateDB,
    *,
    rebuild: bool = False,
    detect_language: bool = True,
    progress: Callable[[int], None] | None = None,
    stop: threading.Event | None = None,
    workers: int = 1,
) -> NormaliseSummary:
    """Normalise the raw records changed since the last run (all with ``rebuild``).

    ``progress`` is called with the number of raw records handled after each batch; once
    ``stop`` is set the run ends after the batch in hand (``summary.stopped``), its position
    committed, and the next run goes on from there. With ``workers`` > 1 a run of at least
    ``POOL_MIN`` records is normalised in that many worker processes (written in order).
    """
    ensure_schema(db)
    started = time.perf_counter()
    summary = NormaliseSummary()
    since = 0 if rebuild else get_state(db.conn, NORMALISED_SEQ)
    summary.last_seq = since
    batches = _batches(db, since)
    if workers > 1 and _pending(db, since) >= POOL_MIN:
        with NormalisePool(workers, detect_language=detect_language) as pool:
            _write_all(db, pool.map(batches), summary, progress, stop)
    else:
        done = ((b, outcomes([s.record for s in b], detect_language)) for b in batches)
        _write_all(db, done, summary, progress, stop)
    summary.seconds = time.perf_counter() - started
    log.info("normalise: %s", summary.line())
    return summary


def _pending(db: StateDB, since: int) -> int:
    row = db.conn.execute("SELECT COUNT(*) FROM raw_records WHERE seq > ?", (since,)).fetchone()
    return int(row[0])


def _batches(db: StateDB, since: int) -> Iterator[list[StoredRecord]]:
    batch: list[StoredRecord] = []
    for stored in db.iter_changed(since):
        batch.append(stored)
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _write_all(
    db: StateDB,
    done: Iterator[tuple[list[StoredRecord], list[Outcome]]],
    summary: NormaliseSummary,
    progress: Callable[[int], None] | None,
    stop: threading.Event | None,
) -> None:
    for batch, results in done:
        _write_batch(db, batch, results, summary)
        if progress is not None:
            progress(summary.seen)
        if stop is not None and stop.is_set():
            summary.stopped = True
            return


def _write_batch(
    db: StateDB, batch: list[StoredRecord], results: list[Outcome], summary: NormaliseSummary
) -> None:
    # Normalised before (outside the write transaction), so readers and the harvester
    # are not held up.
    now = time.time()
    with db.transaction() as conn:
        rev = get_state(conn, RECORDS_REV)
        for stored, result in zip(batch, results, strict=True):
            raw = stored.record
            rid = record_id(raw.source, raw.identifier)
            qkey = (raw.source, raw.identifier, raw.prefix)
            summary.seen += 1
            if result.failed:
                summary.quarantined += 1
                log.warning("quarantined %s: step %s: %s", rid, result.step, result.reason)
                conn.execute(
                    "INSERT OR REPLACE INTO quarantine (source, identifier, prefix, step,"
                    " reason, seq, at) VALUES (?,?,?,?,?,?,?)",
                    (*qkey, result.step, result.reason, stored.seq, now),
                )
                continue
            cur = conn.execute(
                "DELETE FROM quarantine WHERE source=? AND identifier=? AND prefix=?", qkey
            )
            summary.released += cur.rowcount
            row = conn.execute(
                "SELECT deleted, json, prefix FROM records WHERE id=?", (rid,)
            ).fetchone()
            js = result.json
            if js is None:  # a deletion
                if row is None or row["deleted"]:
                    if row is None:
                        rev += 1
                        conn.execute(
                            "INSERT INTO records (id, source, oai_id, seq, rev, deleted, json,"
                            " updated) VALUES (?,?,?,?,?,1,NULL,?)",
                            (rid, raw.source, raw.identifier, stored.seq, rev, now),
                        )
                    summary.unchanged += 1
                    continue
                rev += 1
                summary.deleted += 1
                conn.execute(
                    "UPDATE records SET deleted=1, json=NULL, seq=?, rev=?, updated=? WHERE id=?",
                    (stored.seq, rev, now, rid),
                )
                continue
            if row is not None and not row["deleted"] and row["prefix"] != raw.prefix:
                kept = _RICHNESS.get(json.loads(row["json"]).get("format", ""), 0)
                if kept > _RICHNESS.get(result.format, 0):  # keep MARC over oai_dc
                    summary.unchanged += 1
                    continue
            if row is not None and not row["deleted"] and row["json"] == js:
                summary.unchanged += 1
                conn.execute("UPDATE records SET seq=? WHERE id=?", (stored.seq, rid))
                continue
            rev += 1
            summary.normalised += 1
            conn.execute(
                "INSERT INTO records (id, source, oai_id, prefix, seq, rev, deleted, json,"
                " updated) VALUES (?,?,?,?,?,?,0,?,?) ON CONFLICT(id) DO UPDATE SET"
                " prefix=excluded.prefix, seq=excluded.seq, rev=excluded.rev, deleted=0,"
                " json=excluded.json, updated=excluded.updated",
                (rid, raw.source, raw.identifier, raw.prefix, stored.seq, rev, js, now),
            )
        set_state(conn, RECORDS_REV, rev)
        summary.last_seq = max(summary.last_seq, batch[-1].seq)
        set_state(conn, NORMALISED_SEQ, max(get_state(conn, NORMALISED_SEQ), summary.last_seq))
