"""`birlik run`: the scheduler (harvest, then index, on each source's cron) and the UI.

One process: APScheduler runs one job per source in background threads, waitress serves
the UI, the JSON API, the operator page, ``/healthz`` and ``/metrics`` in the main thread.
SIGTERM or Ctrl-C stops the server, then tells the running harvests to commit their page
and checkpoint and return; the process exits within seconds and the next start resumes
the unfinished runs at once.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import threading
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from birlik.commands.serve import port_number, serve_app
from birlik.logs import log_context, setup_logging
from birlik.scheduler import Scheduler
from harvester.config import Config, load_config
from harvester.harvest import RunSummary, harvest_source
from harvester.store import StateDB

if TYPE_CHECKING:
    from indexer.backends.base import SearchBackend

log = logging.getLogger("birlik.run")

UNFINISHED = ("running", "interrupted", "abandoned")
STOP_GRACE = 5.0  # seconds an index run may take to finish after SIGTERM


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", help="address to bind (default: [ui] host of the config)")
    parser.add_argument(
        "--port", type=port_number, help="port to bind, 0 for any free one (default: [ui] port)"
    )
    parser.add_argument("--threads", type=int, default=4, help="web worker threads (default: 4)")


class HarvestJob:
    """``job(source_key, stop)``: harvest one source, then index what changed.

    Index runs are serialised (two sources finishing together must not normalise the same
    raw records twice); they use the UI's backend object when given, so searches see the
    new documents at once. Nothing is indexed once ``stop`` is set: the next start does it.
    """

    def __init__(
        self, config: Config, backend: SearchBackend | None = None, *, index: bool = True
    ) -> None:
        self.config = config
        self.backend = backend
        self.index_after = index
        self._index_lock = threading.Lock()

    def __call__(self, key: str, stop: threading.Event) -> None:
        with log_context(source=key), StateDB(self.config.state_db) as db:
            # In this thread (not harvest_sources' pool) so log lines carry the context.
            summary = harvest_source(self.config.source(key), db, stop=stop)
            indexed = "not run"
            if self.index_after and not stop.is_set():
                try:
                    indexed = self.index(db, stop)
                except Exception as e:  # logged in full; the harvest's line still follows
                    log.exception("%s: indexing after the harvest failed", key)
                    indexed = f"failed: {e}"
            log_summary(summary, indexed)

    def index(self, db: StateDB, stop: threading.Event) -> str:
        from indexer.pipeline import run_index  # the composition root may import it late

        with self._index_lock:
            result = run_index(self.config, db, backend=self.backend, stop=stop)
        if result.normalise.stopped:
            return f"stopped after normalising {result.normalise.seen} records"
        return f"{result.indexed} documents written in {result.seconds:.1f} s"


def log_summary(s: RunSummary, indexed: str) -> None:
    """The one line a scheduled run ends with (its fields are JSON keys in the log file)."""
    log.log(
        logging.ERROR if s.status == "failed" else logging.INFO,
        "run %s %s: new=%d updated=%d deleted=%d quarantined=%d seconds=%.1f records/s=%.0f;"
        " index: %s%s",
        s.source,
        s.status,
        s.new,
        s.updated,
        s.deleted,
        s.quarantined,
        s.seconds,
        s.rate,
        indexed,
        f"; error: {s.error}" if s.error else "",
        extra={
            "source": s.source,
            "run_id": s.run_id,
            "status": s.status,
            "new": s.new,
            "updated": s.updated,
            "deleted": s.deleted,
            "unchanged": s.unchanged,
            "quarantined": s.quarantined,
            "seconds": round(s.seconds, 3),
            "records_per_second": round(s.rate, 1),
            "error": s.error,
            "index": indexed,
        },
    )


def last_runs(db: StateDB) -> tuple[dict[str, datetime | None], set[str]]:
    """When each source's last run started, and the sources whose last run did not finish."""
    started: dict[str, datetime | None] = {}
    unfinished: set[str] = set()
    rows = db.conn.execute(
        "SELECT source, started, status FROM runs WHERE id IN"
        " (SELECT MAX(id) FROM runs GROUP BY source)"
    ).fetchall()
    for row in rows:
        started[row["source"]] = datetime.fromtimestamp(row["started"], UTC)
        if row["status"] in UNFINISHED:
            unfinished.add(row["source"])
    return started, unfinished


def run(args: argparse.Namespace) -> int:
    from indexer.backends import get_backend
    from search_ui import create_app

    config = load_config(args.config)
    setup_logging(config.logging)
    host = args.host or config.ui.host
    port = config.ui.port if args.port is None else args.port
    with StateDB(config.state_db) as db:
        started, unfinished = last_runs(db)
    backend = get_backend(config)
    scheduler = Scheduler(config, HarvestJob(config, backend))
    try:
        app = create_app(config, backend=backend)
        app.extensions["birlik"].extra["scheduler"] = scheduler
        scheduler.start(started, unfinished)
        for s in config.sources:
            log.info("%s: next run %s (%s)", s.key, scheduler.next_run(s.key), s.schedule)
        serve_app(app, host, port, threads=args.threads)
    except KeyboardInterrupt:
        pass
    except OSError as e:
        print(f"birlik run: cannot listen on {host}:{port}: {e}", file=sys.stderr)
        return 1
    finally:
        stop_scheduler(scheduler)
        backend.close()
    return 0


def stop_scheduler(scheduler: Scheduler, grace: float = STOP_GRACE) -> None:
    """Stop the scheduler; harvests end after their page. An index run still going after
    ``grace`` seconds is cut short by ending the process: every stage commits its position
    as it goes and the index swaps in whole builds only, so the next start simply redoes it.
    """
    busy = scheduler.busy()
    if busy:
        log.info("stopping: %s commit their page and end", ", ".join(busy))
    scheduler.shutdown(wait=False)
    if scheduler.wait_idle(grace):
        return
    log.warning(
        "still running after %.0f s: %s (indexing); exiting now, the next start redoes it",
        grace,
        ", ".join(scheduler.busy()),
    )
    logging.shutdown()
    sys.stderr.flush()
    os._exit(0)  # worker threads would otherwise be joined at exit, however long they take
