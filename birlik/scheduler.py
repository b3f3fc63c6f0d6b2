"""Scheduled harvesting: one APScheduler (3.x) cron job per source.

- Two runs of one source never overlap: a run still going when the next is due (or when an
  operator presses "harvest now") is skipped and logged.
- Missed runs coalesce: APScheduler's ``coalesce`` covers a busy process; after downtime,
  ``missed_since`` (pure) compares the last recorded run with the cron, and one catch-up run
  starts at once. A source whose last run did not finish (stopped by SIGTERM, or the process
  died) is resumed at once too.
- A job's failure is logged and never stops the scheduler.
- ``stop`` (a threading.Event set on SIGTERM/SIGINT) is passed to the job so a harvest in
  progress commits its page and checkpoint and returns.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger

from harvester.config import Config, cron_trigger

log = logging.getLogger("birlik.scheduler")

Job = Callable[[str, threading.Event], None]


def trigger_for(schedule: str) -> CronTrigger:
    trigger: CronTrigger = cron_trigger(schedule)
    return trigger


def missed_since(schedule: str, last_started: datetime | None, now: datetime) -> bool:
    """Whether the cron fired at least once after ``last_started`` and up to ``now``.

    A source never harvested has missed nothing: its first run comes at its schedule (or
    when an operator asks for it).
    """
    if last_started is None:
        return False
    nxt = trigger_for(schedule).get_next_fire_time(None, last_started + timedelta(seconds=1))
    return nxt is not None and nxt <= now


class Scheduler:
    """Per-source cron jobs around ``job(source_key, stop_event)``."""

    def __init__(self, config: Config, job: Job, *, stop: threading.Event | None = None) -> None:
        self.config = config
        self.job = job
        self.stop = stop or threading.Event()
        self._locks = {s.key: threading.Lock() for s in config.sources}
        workers = max(2, len(config.sources) + 1)
        self._sched = BackgroundScheduler(
            executors={"default": ThreadPoolExecutor(workers)},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600},
            timezone=UTC,
        )
        for s in config.sources:
            self._sched.add_job(
                self._run,
                trigger_for(s.schedule),
                args=[s.key],
                id=f"harvest:{s.key}",
                name=f"harvest {s.key}",
            )

    def start(
        self,
        last_runs: dict[str, datetime | None] | None = None,
        unfinished: Iterable[str] = (),
    ) -> None:
        """Start; sources whose schedule fired since their last run, or whose last run did
        not finish, are run once now."""
        self._sched.start()
        now = datetime.now(UTC)
        resume = set(unfinished)
        for s in self.config.sources:
            last = (last_runs or {}).get(s.key)
            if s.key in resume:
                log.info(
                    "%s: the last run did not finish; resuming it now",
                    s.key,
                    extra={"source": s.key},
                )
                self.trigger(s.key)
            elif missed_since(s.schedule, last, now):
                log.info(
                    "%s: a scheduled run was missed since %s; running once now",
                    s.key,
                    last,
                    extra={"source": s.key},
                )
                self.trigger(s.key)

    def shutdown(self, wait: bool = True) -> None:
        self.stop.set()
        if self._sched.running:
            self._sched.shutdown(wait=wait)

    def trigger(self, key: str) -> bool:
        """Run a source now (in the scheduler's pool); False if it is already running."""
        if key not in self._locks:
            raise KeyError(key)
        if self._locks[key].locked():
            log.info("%s: a run is already going; not starting another", key, extra={"source": key})
            return False
        self._sched.add_job(self._run, args=[key], name=f"harvest {key} (now)")
        return True

    def alive(self) -> bool:
        """Whether the scheduler is started and not shut down (``/healthz`` asks)."""
        return bool(self._sched.running)

    def running(self, key: str) -> bool:
        return self._locks[key].locked()

    def busy(self) -> list[str]:
        """The sources with a run going now."""
        return [key for key, lock in self._locks.items() if lock.locked()]

    def wait_idle(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for every run to end; False if some still go."""
        deadline = time.monotonic() + timeout
        while self.busy():
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.05)
        return True

    def next_run(self, key: str) -> datetime | None:
        job = self._sched.get_job(f"harvest:{key}")
        if job is None:
            return None
        when = getattr(job, "next_run_time", None)
        if when is None:  # not started yet: compute from the trigger
            when = job.trigger.get_next_fire_time(None, datetime.now(UTC))
        return when

    def _run(self, key: str) -> None:
        lock = self._locks[key]
        if not lock.acquire(blocking=False):
            log.warning("%s: skipped, the previous run is still going", key, extra={"source": key})
            return
        try:
            if self.stop.is_set():
                return
            self.job(key, self.stop)
        except Exception:
            log.exception("%s: scheduled run failed", key, extra={"source": key})
        finally:
            lock.release()
