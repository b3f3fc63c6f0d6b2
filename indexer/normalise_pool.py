"""Normalisation outcomes, computed here or in worker processes for large index runs.

A worker receives a batch of raw records and returns one ``Outcome`` per record: the
normalised record as JSON text (what the ``records`` table stores, and cheaper to send
back than a ``Record``), its format, or the step and reason it failed. Batches come back
in the order they were sent, so the writer commits them in ``seq`` order; at most
``2 × workers`` batches are in flight, so memory stays flat however large the run.

Workers start from a fresh interpreter (``forkserver``), never by forking a process that
may hold a scheduler's or a web server's threads.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass

from harvester.store import RawRecord, StoredRecord
from indexer.errors import NormaliseError
from indexer.normalise import normalise


@dataclass(frozen=True)
class Outcome:
    """What normalising one raw record gave: ``json`` is None for a deletion or a failure."""

    json: str | None = None
    format: str = ""
    step: str | None = None  # set when normalisation failed
    reason: str = ""

    @property
    def failed(self) -> bool:
        return self.step is not None


def outcome(raw: RawRecord, detect_language: bool = True) -> Outcome:
    """Normalise one raw record; a deletion gives an empty outcome."""
    if raw.deleted:
        return Outcome()
    try:
        rec = normalise(raw, detect_language=detect_language)
    except NormaliseError as e:
        return Outcome(step=e.step or "normalise", reason=e.reason)
    return Outcome(rec.to_json(), rec.format)


def outcomes(batch: list[RawRecord], detect_language: bool = True) -> list[Outcome]:
    return [outcome(raw, detect_language) for raw in batch]


def worker_count(configured: int) -> int:
    """``index.workers``: 0 means one per CPU this process may use."""
    if configured > 0:
        return configured
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


class NormalisePool:
    """``workers`` processes normalising batches; use as a context manager."""

    def __init__(self, workers: int, *, detect_language: bool = True) -> None:
        self.workers = workers
        self.detect_language = detect_language
        self._executor = ProcessPoolExecutor(
            max_workers=workers, mp_context=multiprocessing.get_context("forkserver")
        )

    def __enter__(self) -> NormalisePool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)

    def map(
        self, batches: Iterable[list[StoredRecord]]
    ) -> Iterator[tuple[list[StoredRecord], list[Outcome]]]:
        """Each batch with its outcomes, in the order of ``batches``."""
        pending: deque[tuple[list[StoredRecord], Future[list[Outcome]]]] = deque()
        for batch in batches:
            raws = [s.record for s in batch]
            pending.append((batch, self._executor.submit(outcomes, raws, self.detect_language)))
            if len(pending) >= 2 * self.workers:
                done, future = pending.popleft()
                yield done, future.result()
        while pending:
            done, future = pending.popleft()
            yield done, future.result()
