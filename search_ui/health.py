"""``/healthz`` and ``/metrics``: what a load balancer and Prometheus ask.

``/healthz`` answers 200 when the state database and the search index both answer (and,
under ``birlik run``, the scheduler is running), else 503, with a JSON body naming what is
wrong. ``/metrics`` is the Prometheus text format of a
registry owned by the app (``app.extensions["birlik_metrics"]``), so tests can build many
apps: search requests and their latency are counted as they are served; records, runs,
last successes and quarantined records are read from the state database at each scrape.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from flask import Blueprint, Flask, Response, current_app, g, jsonify, request
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.registry import Collector

from harvester.sqlite import connect
from indexer.state import quarantine_counts
from search_ui.app import Services

log = logging.getLogger("birlik.ui.health")

bp = Blueprint("health", __name__)

SEARCH_ENDPOINTS = {"pages.search": "ui", "api.search": "api"}
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


@dataclass
class Metrics:
    """The app's registry and the metrics updated while serving."""

    registry: CollectorRegistry
    searches: Counter
    latency: Histogram


def _services(app: Flask | None = None) -> Services:
    svc: Services = (app or current_app).extensions["birlik"]
    return svc


def _metrics() -> Metrics:
    m: Metrics = current_app.extensions["birlik_metrics"]
    return m


@bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    svc = _services()
    checks = {"state_db": _check_state_db(svc.state_db_path), "index": _check_index(svc)}
    sched = svc.extra.get("scheduler")
    if sched is not None:  # under `birlik run`
        checks["scheduler"] = "ok" if sched.alive() else "the scheduler is not running"
    ok = all(v == "ok" for v in checks.values())
    if not ok:
        log.warning("health check failed: %s", checks)
    return jsonify({"status": "ok" if ok else "unavailable", "checks": checks}), (
        200 if ok else 503
    )


def _check_state_db(path: Path | None) -> str:
    if path is None:
        return "no state database is configured"
    if not path.exists():
        return f"state database {path} does not exist (nothing harvested yet?)"
    try:
        conn = connect(path, readonly=True)
        try:
            conn.execute("SELECT COUNT(*) FROM runs").fetchone()
        finally:
            conn.close()
    except Exception as e:  # any failure to read is what this check reports
        return f"state database {path}: {e}"
    return "ok"


def _check_index(svc: Services) -> str:
    try:
        svc.backend.ping()
    except Exception as e:  # the backend's own errors and transport errors alike
        return f"search index ({svc.backend.name or type(svc.backend).__name__}): {e}"
    return "ok"


@bp.get("/metrics")
def metrics() -> Response:
    return Response(generate_latest(_metrics().registry), content_type=CONTENT_TYPE_LATEST)


class StateCollector(Collector):
    """Reads per-source figures from the state database at each scrape."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def collect(self) -> Iterator[Metric]:
        svc = _services(self.app)
        keys = [s.key for s in svc.sources]
        records = GaugeMetricFamily(
            "birlik_records", "Records held in the raw store (not deleted)", labels=["source"]
        )
        runs = CounterMetricFamily(
            "birlik_harvest_runs", "Harvest runs by final status", labels=["source", "status"]
        )
        success = GaugeMetricFamily(
            "birlik_last_success_timestamp_seconds",
            "When the last successful harvest of a source ended (Unix time)",
            labels=["source"],
        )
        quarantined = GaugeMetricFamily(
            "birlik_quarantined_records",
            "Raw records that could not be normalised",
            labels=["source"],
        )
        path = svc.state_db_path
        if path is not None and path.exists():
            try:
                conn = connect(path, readonly=True)
                try:
                    _fill(conn, keys, records, runs, success, quarantined)
                finally:
                    conn.close()
            except sqlite3.Error as e:
                log.warning("metrics: cannot read %s: %s", path, e)
        yield from (records, runs, success, quarantined)
        try:
            documents = svc.backend.count()
        except Exception as e:  # an unreachable index must not break the scrape
            log.warning("metrics: cannot count the index: %s", e)
        else:
            yield GaugeMetricFamily(
                "birlik_index_documents", "Records in the search index", value=documents
            )


def _fill(
    conn: sqlite3.Connection,
    keys: list[str],
    records: GaugeMetricFamily,
    runs: CounterMetricFamily,
    success: GaugeMetricFamily,
    quarantined: GaugeMetricFamily,
) -> None:
    held = dict(
        conn.execute(
            "SELECT source, COUNT(*) FROM raw_records WHERE deleted=0 GROUP BY source"
        ).fetchall()
    )
    for key in sorted({*keys, *held}):
        records.add_metric([key], held.get(key, 0))
    for source, status, n in conn.execute(
        "SELECT source, status, COUNT(*) FROM runs GROUP BY source, status ORDER BY source, status"
    ):
        runs.add_metric([source, status], n)
    for source, ended in conn.execute(
        "SELECT source, MAX(ended) FROM runs WHERE status='ok' GROUP BY source ORDER BY source"
    ):
        success.add_metric([source], ended)
    counts = quarantine_counts(conn)
    for key in sorted({*keys, *counts}):
        quarantined.add_metric([key], counts.get(key, 0))


def _start_timer() -> None:
    if request.endpoint in SEARCH_ENDPOINTS:
        g.search_started = time.perf_counter()


def _observe(response: Response) -> Response:
    started = g.pop("search_started", None)
    if started is not None:
        m = _metrics()
        kind = SEARCH_ENDPOINTS[request.endpoint or ""]
        m.searches.labels(kind, str(response.status_code)).inc()
        m.latency.labels(kind).observe(time.perf_counter() - started)
    return response


def init_app(app: Flask) -> None:
    """Give ``app`` its own registry, the two routes and the search timing hooks."""
    registry = CollectorRegistry()
    app.extensions["birlik_metrics"] = Metrics(
        registry,
        Counter(
            "birlik_search_requests",
            "Search requests served (UI pages and API)",
            ["kind", "status"],
            registry=registry,
        ),
        Histogram(
            "birlik_search_latency_seconds",
            "Time to answer a search request",
            ["kind"],
            buckets=LATENCY_BUCKETS,
            registry=registry,
        ),
    )
    registry.register(StateCollector(app))
    app.before_request(_start_timer)
    app.after_request(_observe)
    app.register_blueprint(bp)
