"""The index pipeline of ``birlik index``: normalise → deduplicate → write the search index.

Each stage keeps its own position in the state database, so a run does only what changed:
normalisation reads raw records above ``normalised_seq``; deduplication and the search
backend read normalised rows above ``indexed_rev:<backend>:<name>`` (``changed_record_ids``).
A changed or deleted record re-clusters only its neighbourhood, and every record whose
cluster moved is written again, so the index never shows a stale cluster.

A full pass (``rebuild=True``, the first run, a backend found empty, or a change too large
to be worth doing record by record) re-normalises from the raw store without touching the
network, recomputes every cluster (librarians' decisions are re-applied, cluster ids kept)
and swaps in a new index atomically: readers never see a half-built one.

``apply_decision`` is the librarian's path: the decision is stored, its neighbourhood
re-clustered and every record of that neighbourhood given a new revision, in one
transaction; then the affected records are re-indexed at once, so the librarian sees the
result. If that write fails (engine down, process killed), the error goes to the caller
but nothing is lost: the new revisions make the next run of every backend take those
records as changed and write their documents with the decided clusters (re-clustering
them again gives the same clusters). After a write that succeeded, that next run repeats
it for those few records only.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from harvester.store import StateDB
from indexer.backends import get_backend
from indexer.backends.base import IndexDoc, SearchBackend
from indexer.dedup.features import VERSION as FEATURES_VERSION
from indexer.dedup.features import features
from indexer.dedup.store import DedupStore
from indexer.errors import StaleIndexError
from indexer.normalise_pool import worker_count
from indexer.normalise_run import NormaliseSummary, normalise_changed
from indexer.record import Record
from indexer.state import (
    changed_record_ids,
    current_rev,
    get_record,
    get_state,
    iter_records,
    record_counts,
    set_state,
    touch_records,
)

if TYPE_CHECKING:
    from harvester.config import Config

log = logging.getLogger(__name__)

FULL_PASS_SHARE = 0.25
"""Above this share of changed records (and at least ``FULL_PASS_MIN``), a full pass is
cheaper than re-clustering record by record."""
FULL_PASS_MIN = 5_000
BATCH = 1_000
DEDUP_VERSION = "dedup_features_version"
_LOCK = threading.RLock()
"""One index pass at a time in a process (scheduled jobs of two sources, a librarian's
decision): each reads and moves the same positions in the state database."""


@dataclass
class IndexSummary:
    """What one ``run_index`` did."""

    normalise: NormaliseSummary = field(default_factory=NormaliseSummary)
    full: bool = False
    changed: int = 0  # normalised rows new, updated or touched by a decision since the last run
    deleted: int = 0
    reclustered: int = 0  # records whose cluster was recomputed
    indexed: int = 0  # documents written to the search backend
    clusters: int = 0  # clusters with more than one member, after the run
    seconds: float = 0.0

    def line(self) -> str:
        kind = "full pass" if self.full else "incremental"
        return (
            f"index ({kind}): {self.normalise.line()}; {self.changed} changed,"
            f" {self.deleted} deleted, {self.reclustered} re-clustered, {self.indexed}"
            f" documents written, {self.clusters} duplicate clusters in {self.seconds:.1f} s"
        )


def state_key(config: Config) -> str:
    """Where the revision indexed into this backend is kept (one per backend and index)."""
    return f"indexed_rev:{config.index.backend}:{config.index.name}"


def run_index(
    config: Config,
    db: StateDB,
    *,
    rebuild: bool = False,
    backend: SearchBackend | None = None,
    progress: Callable[[int], None] | None = None,
    stop: threading.Event | None = None,
) -> IndexSummary:
    """Normalise what changed, deduplicate it and bring the search index up to date.

    ``backend`` defaults to the one the config names (opened and closed here);
    ``progress`` receives the number of raw records normalised so far. Once ``stop`` is
    set, normalisation ends after its batch in hand and nothing is indexed (the summary
    says ``stopped``); the next run goes on from the committed position.
    """
    with _LOCK:
        started = time.perf_counter()
        summary = IndexSummary(
            normalise=normalise_changed(
                db,
                rebuild=rebuild,
                progress=progress,
                stop=stop,
                workers=worker_count(config.index.workers),
            )
        )
        if summary.normalise.stopped:
            summary.seconds = time.perf_counter() - started
            log.info("index: stopped after normalising %d records", summary.normalise.seen)
            return summary
        engine = get_backend(config) if backend is None else backend
        try:
            _bring_up_to_date(config, db, engine, summary, rebuild)
        finally:
            if backend is None:
                engine.close()
        summary.seconds = time.perf_counter() - started
    log.info("%s", summary.line())
    return summary


def _bring_up_to_date(
    config: Config, db: StateDB, engine: SearchBackend, summary: IndexSummary, rebuild: bool
) -> None:
    key = state_key(config)
    since = get_state(db.conn, key)
    target = current_rev(db)
    live = sum(record_counts(db).values())
    stale_features = get_state(db.conn, DEDUP_VERSION) != FEATURES_VERSION
    full = rebuild or since == 0 or stale_features or (live > 0 and _empty(engine))
    changes: list[tuple[str, int, Record | None]] = []
    if not full:
        for change in changed_record_ids(db, since):
            changes.append((change.id, change.rev, change.record))
            if len(changes) > max(FULL_PASS_MIN, FULL_PASS_SHARE * live):
                full = True
                break
    if full:
        _full_pass(db, engine, summary)
        reached = max(target, 1)
    else:
        _incremental(db, engine, changes, summary)
        reached = max([since, *(rev for _, rev, _ in changes)])
    with db.transaction() as conn:
        set_state(conn, key, reached)
        if full:
            set_state(conn, DEDUP_VERSION, FEATURES_VERSION)
    summary.clusters = _multi_clusters(db)


def apply_decision(
    db: StateDB,
    backend: SearchBackend,
    kind: str,
    pairs: Iterable[tuple[str, str]],
    action: str,
    who: str,
    note: str = "",
) -> set[str]:
    """Store a librarian's decision, re-cluster around it and re-index what moved.

    ``kind`` is ``must_link`` (confirm, merge) or ``cannot_link`` (split); returns the ids
    of the records whose documents were written again. An error of the backend's write
    is raised after the decision is stored: the next ``run_index`` writes those documents.
    """
    pairs = list(pairs)
    with _LOCK:
        return _apply(db, backend, kind, pairs, action, who, note)


def _apply(
    db: StateDB,
    backend: SearchBackend,
    kind: str,
    pairs: list[tuple[str, str]],
    action: str,
    who: str,
    note: str,
) -> set[str]:
    dedup = DedupStore(db.conn)
    seeds = {rid for pair in pairs for rid in pair}
    with db.transaction() as conn:  # the decision and the clusters it moves: all or nothing
        dedup.write_decision(kind, pairs, action, who, note)
        affected = dedup.recluster_around(seeds)
        touch_records(conn, affected)  # so the next run writes them even if we cannot
    _write_docs(db, backend, dedup, affected)
    backend.refresh()
    log.info("decision %s (%s) by %s: %d records re-indexed", action, kind, who, len(affected))
    return affected


def _empty(engine: SearchBackend) -> bool:
    """True when the index holds nothing, or was built by an older Birlik (then rebuilt)."""
    try:
        return engine.count() == 0
    except StaleIndexError as e:
        log.warning("%s; rebuilding it now", e)
        return True


def _multi_clusters(db: StateDB) -> int:
    row = db.conn.execute(
        "SELECT COUNT(*) FROM (SELECT cluster_id FROM clusters GROUP BY cluster_id"
        " HAVING COUNT(*) > 1)"
    ).fetchone()
    return int(row[0]) if row else 0


def _full_pass(db: StateDB, backend: SearchBackend, summary: IndexSummary) -> None:
    summary.full = True
    feats = [features(r) for r in iter_records(db)]
    dedup = DedupStore(db.conn)
    with db.transaction():
        dedup.rebuild(feats)
    summary.changed = summary.reclustered = len(feats)
    del feats
    assignment = {
        r[0]: (r[1], r[2] == 0)
        for r in db.conn.execute("SELECT record_id, cluster_id, rank FROM clusters")
    }

    def docs() -> Iterator[IndexDoc]:
        for rec in iter_records(db):
            cid, preferred = assignment.get(rec.id, (rec.id, True))
            yield IndexDoc(rec, cid, preferred)

    summary.indexed = backend.rebuild(docs())


def _incremental(
    db: StateDB,
    backend: SearchBackend,
    changes: list[tuple[str, int, Record | None]],
    summary: IndexSummary,
) -> None:
    if not changes:
        return
    latest: dict[str, Record | None] = {}
    for rid, _, rec in changes:  # rev order: the last change of a record wins
        latest[rid] = rec
    changed = [features(r) for r in latest.values() if r is not None]
    deleted = [rid for rid, r in latest.items() if r is None]
    summary.changed, summary.deleted = len(changed), len(deleted)
    dedup = DedupStore(db.conn)
    with db.transaction():
        affected = dedup.update(changed, deleted)
    summary.reclustered = len(affected)
    if deleted:
        backend.delete(deleted)
    summary.indexed = _write_docs(db, backend, dedup, affected - set(deleted))
    backend.refresh()


def _write_docs(db: StateDB, backend: SearchBackend, dedup: DedupStore, ids: set[str]) -> int:
    """Write the documents of ``ids`` (live records only) with their current clusters."""
    written = 0
    ordered = sorted(ids)
    for i in range(0, len(ordered), BATCH):
        chunk = ordered[i : i + BATCH]
        assignment = dedup.assignment(chunk)
        docs = []
        gone = []
        for rid in chunk:
            rec = get_record(db, rid)
            if rec is None:
                gone.append(rid)
                continue
            cid, preferred = assignment[rid]
            docs.append(IndexDoc(rec, cid, preferred))
        if gone:
            backend.delete(gone)
        written += backend.add(docs)
    return written
