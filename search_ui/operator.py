"""The operator page (librarians only): how each source's harvests go, and "harvest now".

Per source: the last run (start, duration, status, counts, records/s, error), the next
scheduled run, the records held, and the quarantined records with their reasons and a link
to the raw XML as harvested. The button asks the scheduler of ``birlik run`` (found in
``Services.extra["scheduler"]``) to run the source at once; under ``birlik serve`` there
is no scheduler, so the page says so and shows the next run the cron would give.
"""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import pgettext

from harvester.config import SourceConfig, cron_trigger
from indexer.state import quarantine_counts, quarantined
from search_ui.auth import current_librarian, login_required
from search_ui.views import services, state_conn

log = logging.getLogger("birlik.ui.operator")

bp = Blueprint("operator", __name__)

QUARANTINE_SHOWN = 100


class SchedulerLike(Protocol):
    """What the page needs from ``birlik.scheduler.Scheduler`` (search_ui cannot import it)."""

    def alive(self) -> bool: ...

    def trigger(self, key: str) -> bool: ...

    def running(self, key: str) -> bool: ...

    def next_run(self, key: str) -> datetime | None: ...


@dataclass(frozen=True)
class LastRun:
    id: int
    started: datetime
    ended: datetime | None
    status: str
    new: int
    updated: int
    deleted: int
    unchanged: int
    quarantined: int
    error: str | None

    @property
    def seconds(self) -> float | None:
        return (self.ended - self.started).total_seconds() if self.ended else None

    @property
    def rate(self) -> float | None:
        s = self.seconds
        done = self.new + self.updated + self.deleted + self.unchanged
        return done / s if s else None


@dataclass(frozen=True)
class Quarantined:
    identifier: str
    prefix: str
    step: str
    reason: str
    at: datetime


@dataclass(frozen=True)
class SourceStatus:
    source: SourceConfig
    last: LastRun | None
    next_run: datetime | None
    running: bool
    held: int
    quarantine_total: int
    quarantine: list[Quarantined]


def scheduler() -> SchedulerLike | None:
    """The running scheduler of ``birlik run``, or None (``birlik serve``, or stopping)."""
    sched: SchedulerLike | None = services().extra.get("scheduler")
    return sched if sched is not None and sched.alive() else None


def _time(t: float | None) -> datetime | None:
    return datetime.fromtimestamp(t, UTC) if t else None


def _next_from_cron(schedule: str) -> datetime | None:
    when: datetime | None = cron_trigger(schedule).get_next_fire_time(None, datetime.now(UTC))
    return when


def source_status(conn: sqlite3.Connection | None, source: SourceConfig) -> SourceStatus:
    sched = scheduler()
    key = source.key
    nxt = sched.next_run(key) if sched else _next_from_cron(source.schedule)
    running = bool(sched and sched.running(key))
    if conn is None:
        return SourceStatus(source, None, nxt, running, 0, 0, [])
    row = conn.execute("SELECT * FROM runs WHERE source=? ORDER BY id DESC LIMIT 1", (key,))
    r = row.fetchone()
    last = None
    if r is not None:
        last = LastRun(
            r["id"],
            datetime.fromtimestamp(r["started"], UTC),
            _time(r["ended"]),
            r["status"],
            r["new"],
            r["updated"],
            r["deleted"],
            r["unchanged"],
            r["quarantined"],
            r["error"],
        )
    held = conn.execute(
        "SELECT COUNT(*) FROM raw_records WHERE source=? AND deleted=0", (key,)
    ).fetchone()[0]
    total = quarantine_counts(conn).get(key, 0)
    entries = [
        Quarantined(q.identifier, q.prefix, q.step, q.reason, datetime.fromtimestamp(q.at, UTC))
        for q in quarantined(conn, source=key, limit=QUARANTINE_SHOWN)
    ]
    return SourceStatus(source, last, nxt, running, int(held), total, entries)


@bp.get("/")
@login_required
def page() -> ResponseReturnValue:
    conn = state_conn()
    sources = [source_status(conn, s) for s in services().sources]
    return render_template(
        "operator.html", sources=sources, has_scheduler=scheduler() is not None, duration=duration
    )


@bp.post("/harvest/<key>")
@login_required
def harvest_now(key: str) -> ResponseReturnValue:
    if key not in services().library_keys:
        abort(404)
    sched = scheduler()
    if sched is None:
        flash(
            pgettext(
                "operations", "Harvests can only be started while Birlik runs with its scheduler."
            ),
            "error",
        )
    elif sched.trigger(key):
        log.info("librarian %s started a harvest of %s", current_librarian(), key)
        flash(pgettext("operations", "A harvest of %(source)s has started.", source=key), "info")
    else:
        flash(
            pgettext("operations", "A harvest of %(source)s is already running.", source=key),
            "info",
        )
    return redirect(url_for("operator.page") + f"#source-{key}", code=303)


@bp.get("/raw/<key>")
@login_required
def raw(key: str) -> ResponseReturnValue:
    """The raw XML of one harvested record, as the provider sent it."""
    identifier = request.args.get("id", "")
    prefix = request.args.get("prefix", "")
    conn = state_conn()
    if key not in services().library_keys or not identifier or conn is None:
        abort(404)
    row = conn.execute(
        "SELECT xml FROM raw_records WHERE source=? AND identifier=? AND (prefix=? OR ?='')"
        " ORDER BY seq DESC LIMIT 1",
        (key, identifier, prefix, prefix),
    ).fetchone()
    if row is None or row["xml"] is None:
        abort(404)
    resp = Response(row["xml"], content_type="application/xml; charset=utf-8")
    resp.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return resp


def duration(seconds: float | None) -> str:
    """Seconds as h:mm:ss (or m:ss), for the table."""
    if seconds is None:
        return "—"
    total = round(seconds)
    h, rest = divmod(total, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def init_app(app: Any) -> None:
    app.register_blueprint(bp, url_prefix="/operator")
