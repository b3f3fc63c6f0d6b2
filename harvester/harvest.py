"""One harvest run per source, all sources concurrently.

For each (set, metadataPrefix) of a source the run resumes the list from the committed
resumption token, or starts a new list from the watermark (``harvester.windows``). After
every page, ``StateDB.store_page`` commits the page's records together with the checkpoint
that follows them (the next token, or the new watermark when the list is complete), so a
run killed at any point continues from exactly where the store stands. A token the
provider no longer accepts (``badResumptionToken``) restarts the list from the watermark;
records seen twice are stored once.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import timedelta

from harvester.client import Identity, Interrupted, OAIClient, Page, Response
from harvester.config import Config, SourceConfig
from harvester.errors import BadResumptionToken, BirlikError, HarvestError, ProtocolError
from harvester.locks import source_lock
from harvester.progress import BarProgress, NoProgress, ProgressSink, make_progress
from harvester.retry import DEFAULT_BACKOFF, Backoff
from harvester.store import Checkpoint, PageCounts, StateDB
from harvester.windows import DEFAULT_OVERLAP, Window, format_datestamp, later, parse_datestamp
from harvester.windows import plan_window as _plan

log = logging.getLogger("birlik.harvest")
RESTARTS = 2  # restarts of one list after badResumptionToken, per run


@dataclass(frozen=True)
class RunSummary:
    source: str
    status: str  # ok | failed | interrupted | skipped (another harvest of it was running)
    new: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    quarantined: int = 0
    seconds: float = 0.0
    rate: float = 0.0  # records per second
    error: str | None = None
    run_id: int = 0
    requests: int = 0

    @property
    def records(self) -> int:
        return self.new + self.updated + self.deleted + self.unchanged


@dataclass(frozen=True)
class HarvestOptions:
    """How a run chooses its window and paces itself (the CLI's flags; tests' timings)."""

    full: bool = False
    from_: str | None = None
    until: str | None = None
    overlap: timedelta = DEFAULT_OVERLAP
    backoff: Backoff = DEFAULT_BACKOFF


class _Run:
    """The state of one source's run: counts, progress, the client."""

    def __init__(
        self,
        source: SourceConfig,
        db: StateDB,
        client: OAIClient,
        opts: HarvestOptions,
        progress: ProgressSink,
    ) -> None:
        self.source = source
        self.db = db
        self.client = client
        self.opts = opts
        self.progress = progress
        self.counts = PageCounts()
        self.quarantined = 0
        self.started = time.monotonic()
        self.done = 0
        self.fetcher = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"fetch-{source.key}")

    def rate(self) -> float:
        elapsed = time.monotonic() - self.started
        return self.done / elapsed if elapsed > 0 else 0.0

    def harvest(self) -> bool:
        """Harvest every (set, prefix) list; False when stopped before the end."""
        ident = self.client.identify()
        log.debug(
            "%s: %r, granularity %s, deletedRecord %s, earliest %s",
            self.source.key,
            ident.repository_name,
            ident.granularity,
            ident.deleted_record,
            ident.earliest_datestamp,
        )
        if ident.deleted_record == "no":
            log.info(
                "%s: the provider keeps no deletions; a full harvest of the whole repository"
                " marks the records it no longer lists as deleted",
                self.source.key,
            )
        self.client.check_prefix(self.source.metadata_prefix)
        if self.source.sets:
            self.client.check_sets(self.source.sets)
        return all(self.harvest_list(s, ident) for s in self.source.sets or ("",))

    def harvest_list(self, set_spec: str, ident: Identity) -> bool:
        """One list; a token the provider stops accepting restarts it from the watermark."""
        for attempt in range(1, RESTARTS + 2):
            try:
                return self._list(set_spec, ident, may_resume=attempt == 1)
            except BadResumptionToken as e:
                if attempt > RESTARTS:
                    raise
                log.warning(
                    "%s: resumption token rejected (%s); restarting the list from the watermark",
                    self.source.key,
                    e.reason,
                )
        raise AssertionError("unreachable")

    def _list(self, set_spec: str, ident: Identity, *, may_resume: bool) -> bool:
        key, prefix = self.source.key, self.source.metadata_prefix
        cp = self.db.checkpoint(key, set_spec, prefix)
        manual = self.opts.from_ is not None or self.opts.until is not None
        resp: Response | None = None
        if may_resume and cp.token and not (self.opts.full or manual):
            log.info("%s: resuming %s/%s from token %r", key, set_spec or "*", prefix, cp.token)
            resp = self.client.continue_list(cp.token, prefix)
        window: Window | None = None
        whole: float | None = None  # local start of a list of the whole repository
        if resp is None:
            try:
                window = _plan(
                    cp.watermark,
                    ident.granularity,
                    full=self.opts.full,
                    from_=self.opts.from_,
                    until=self.opts.until,
                    overlap=self.opts.overlap,
                )
            except ValueError as e:
                raise HarvestError(str(e), source=key) from None
            if window.from_ is None and window.until is None and not self.source.sets:
                whole = time.time()
            resp = self.client.start_list(
                prefix, set_spec=set_spec or None, from_=window.from_, until=window.until
            )
        seen: set[str] = {cp.token} if cp.token and window is None else set()
        newest: str | None = None
        while True:
            token = resp.token
            if token is not None and token in seen:
                raise ProtocolError(
                    f"the provider repeated resumption token {token!r}", source=key, url=resp.url
                )
            # Ask for the next page before reading and storing this one, so the provider
            # works while we do; the next page is only used after this one has committed.
            ahead = self.fetcher.submit(self.client.continue_list, token, prefix) if token else None
            page = self.client.read(resp)
            if window is not None:  # a new list: remember how it was asked for and when
                cp = replace(
                    cp,
                    token=None,
                    token_from=window.from_,
                    token_until=window.until,
                    list_started=page.response_date or None,
                )
                window = None
            if page.records:
                top = max(r.datestamp for r in page.records)
                newest = top if newest is None else max(newest, top)
            if token:
                nxt = replace(cp, token=token)
            else:
                nxt = replace(
                    cp,
                    token=None,
                    token_from=None,
                    token_until=None,
                    list_started=None,
                    watermark=self._watermark(cp, newest, ident, manual),
                )
            self.counts.add(self.db.store_page(page.records, nxt))
            self._account(page)
            cp = nxt
            if ahead is None:
                if whole is not None and ident.deleted_record == "no":
                    self._drop_unlisted(prefix, whole)
                return True
            if self.client.stop.is_set():
                ahead.cancel()
                return False
            seen.add(token or "")
            resp = ahead.result()

    def _drop_unlisted(self, prefix: str, since: float) -> None:
        gone = self.db.mark_unseen_deleted(self.source.key, prefix, since)
        self.counts.deleted += gone
        if gone:
            log.info(
                "%s: %d records no longer listed by the provider marked deleted",
                self.source.key,
                gone,
            )

    def _watermark(
        self, cp: Checkpoint, newest: str | None, ident: Identity, manual: bool
    ) -> str | None:
        """The watermark after a complete list: when the list began (provider time), never
        moving backwards; a manual --from/--until window leaves it alone."""
        if manual:
            return cp.watermark
        mark = cp.list_started or newest
        if mark:
            try:
                mark = format_datestamp(parse_datestamp(mark), ident.granularity)
            except ValueError:
                log.warning("%s: unreadable datestamp %r; watermark kept", self.source.key, mark)
                return cp.watermark
        return later(cp.watermark, mark)

    def _account(self, page: Page) -> None:
        for reason in page.skipped:
            log.warning("%s: record skipped (%s) in %s", self.source.key, reason, page.url)
        self.quarantined += len(page.skipped)
        n = len(page.records) + len(page.skipped)
        self.done += n
        done = page.cursor + n if page.cursor is not None else self.done
        self.progress.update(self.source.key, done, page.complete_list_size, self.rate())


def harvest_source(
    source: SourceConfig,
    db: StateDB,
    *,
    options: HarvestOptions | None = None,
    stop: threading.Event | None = None,
    progress: ProgressSink | None = None,
) -> RunSummary:
    """Harvest one source; failures are recorded in the run row, not raised.

    A source another harvest (this process or another) is working on is skipped: the
    summary says so and names the process, and nothing is recorded.
    """
    with source_lock(db.path, source.key) as holder:
        if holder is not None:
            error = f"another harvest of {source.key!r} is running (process {holder})"
            log.warning("harvest %s skipped: %s", source.key, error)
            return RunSummary(source.key, "skipped", error=error)
        return _harvest_source(source, db, options, stop, progress)


def _harvest_source(
    source: SourceConfig,
    db: StateDB,
    options: HarvestOptions | None,
    stop: threading.Event | None,
    progress: ProgressSink | None,
) -> RunSummary:
    options = options or HarvestOptions()
    stop = stop or threading.Event()
    progress = progress or NoProgress()
    db.abandon_runs(source.key)
    run_id = db.start_run(source.key)
    client = OAIClient(
        source.key,
        source.url,
        timeout=source.timeout,
        max_retries=source.max_retries,
        delay=source.delay,
        backoff=options.backoff,
        stop=stop,
    )
    run = _Run(source, db, client, options, progress)
    progress.start(source.key)
    status, error = "ok", None
    try:
        if not run.harvest():
            status = "interrupted"
    except Interrupted:
        status = "interrupted"
    except HarvestError as e:
        status, error = "failed", str(e)
    except BirlikError as e:
        status, error = "failed", f"source {source.key!r}: {e}"
    except Exception as e:  # a bug must not stop the other sources; it is logged in full
        log.exception("%s: unexpected error", source.key)
        status, error = "failed", f"source {source.key!r}: unexpected {type(e).__name__}: {e}"
    finally:
        run.fetcher.shutdown(wait=True, cancel_futures=True)
        client.close()
    seconds = time.monotonic() - run.started
    c = run.counts
    total = c.new + c.updated + c.deleted + c.unchanged
    summary = RunSummary(
        source.key,
        status,
        c.new,
        c.updated,
        c.deleted,
        c.unchanged,
        run.quarantined,
        seconds,
        total / seconds if seconds else 0.0,
        error,
        run_id,
        client.requests,
    )
    db.finish_run(
        run_id, status, c, requests=client.requests, quarantined=run.quarantined, error=error
    )
    progress.finish(source.key, status)
    log.log(
        logging.ERROR if status == "failed" else logging.INFO,
        "harvest %s %s: new=%d updated=%d deleted=%d unchanged=%d quarantined=%d "
        "seconds=%.1f records/s=%.0f%s",
        source.key,
        status,
        c.new,
        c.updated,
        c.deleted,
        c.unchanged,
        run.quarantined,
        seconds,
        summary.rate,
        f" error: {error}" if error else "",
    )
    return summary


def harvest_sources(
    config: Config,
    db: StateDB,
    keys: Sequence[str] | None = None,
    *,
    full: bool = False,
    from_: str | None = None,
    until: str | None = None,
    stop: threading.Event | None = None,
    progress: bool | None = None,
    options: HarvestOptions | None = None,
) -> dict[str, RunSummary]:
    """Harvest the given sources (default: all) concurrently, one thread and one database
    connection each; one failing does not stop the others. ``stop`` ends every run after
    the page in progress has committed. Unknown keys raise ``ConfigError``."""
    sources = [config.source(k) for k in keys] if keys else list(config.sources)
    opts = replace(options or HarvestOptions(), full=full, from_=from_, until=until)
    stop = stop or threading.Event()
    bar: BarProgress | NoProgress = make_progress(progress)
    results: dict[str, RunSummary] = {}

    def one(source: SourceConfig) -> RunSummary:
        if len(sources) == 1:
            return harvest_source(source, db, options=opts, stop=stop, progress=bar)
        with StateDB(db.path) as own:
            return harvest_source(source, own, options=opts, stop=stop, progress=bar)

    try:
        with ThreadPoolExecutor(
            max_workers=max(1, len(sources)), thread_name_prefix="harvest"
        ) as pool:
            futures = {s.key: pool.submit(one, s) for s in sources}
            try:
                for key, fut in futures.items():
                    results[key] = fut.result()
            except BaseException:
                stop.set()  # Ctrl-C: let each run commit its page and end
                raise
    finally:
        bar.close()
    return results
