"""/healthz, /metrics and the operator page over the Flask test client, on a real harvest.

The state comes from a real provider on 127.0.0.1 (a small collection with one record that
cannot be normalised) and a dead source; the last test harvests the sample collection
while clients search and read the same SQLite state database.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient
from prometheus_client.parser import text_string_to_metric_families

from birlik.commands.run import HarvestJob
from birlik.scheduler import Scheduler
from harvester.config import Config
from harvester.store import StateDB
from tests.support.browser import serving
from tests.support.librarian import LIBRARIAN, PASSWORD, csrf_token, login
from tests.support.ops import (
    BAD_ID,
    SAMPLES,
    OpsProviderFactory,
    indexed_site,
    make_config,
    wait_for,
)


@dataclass
class Env:
    config: Config
    app: Flask


@pytest.fixture
def env(tmp_path: Path, ops_provider: OpsProviderFactory) -> Iterator[Env]:
    from search_ui import create_app

    config = indexed_site(tmp_path, ops_provider)
    app = create_app(config)
    app.testing = True
    yield Env(config, app)
    app.extensions["birlik"].backend.close()


def metrics(client: FlaskClient) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    resp = client.get("/metrics")
    assert resp.status_code == 200
    assert resp.content_type.startswith("text/plain")
    out = {}
    for family in text_string_to_metric_families(resp.get_data(as_text=True)):
        for s in family.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


def test_healthz_ok(env: Env) -> None:
    resp = env.app.test_client().get("/healthz")
    assert resp.status_code == 200
    assert resp.json == {"status": "ok", "checks": {"state_db": "ok", "index": "ok"}}


def test_healthz_names_what_is_wrong(tmp_path: Path) -> None:
    from search_ui import create_app

    config = make_config(tmp_path, "http://127.0.0.1:9/oai")
    config = replace(config, index=replace(config.index, backend="elasticsearch"))
    config = replace(config, index=replace(config.index, url="http://127.0.0.1:9"))
    app = create_app(config)
    resp = app.test_client().get("/healthz")
    assert resp.status_code == 503
    body = resp.json
    assert body is not None
    assert body["status"] == "unavailable"
    assert body["checks"]["state_db"].startswith(f"state database {config.state_db} does not")
    assert body["checks"]["index"].startswith("search index (elasticsearch): cannot reach")


def test_metrics_content(env: Env) -> None:
    client = env.app.test_client()
    with StateDB(env.config.state_db) as db:
        held = db.counts("anl")[0]
        ended = db.conn.execute("SELECT ended FROM runs WHERE source='anl'").fetchone()[0]
    m = metrics(client)
    assert m[("birlik_records", (("source", "anl"),))] == held == 24
    assert m[("birlik_records", (("source", "nlrk"),))] == 0
    assert m[("birlik_harvest_runs_total", (("source", "anl"), ("status", "ok")))] == 1
    assert m[("birlik_harvest_runs_total", (("source", "nlrk"), ("status", "failed")))] == 1
    assert m[("birlik_last_success_timestamp_seconds", (("source", "anl"),))] == ended
    assert ("birlik_last_success_timestamp_seconds", (("source", "nlrk"),)) not in m
    assert m[("birlik_quarantined_records", (("source", "anl"),))] == 1
    assert m[("birlik_quarantined_records", (("source", "nlrk"),))] == 0
    assert m[("birlik_index_documents", ())] == 23

    for q in ("Title", "more", "nothing-like-this"):
        assert client.get("/api/search", query_string={"q": q}).status_code == 200
    assert client.get("/", query_string={"q": "Title"}).status_code == 200
    assert client.get("/api/search", query_string={"size": "x"}).status_code == 400
    m = metrics(client)
    api_ok = (("kind", "api"), ("status", "200"))
    assert m[("birlik_search_requests_total", api_ok)] == 3
    assert m[("birlik_search_requests_total", (("kind", "api"), ("status", "400")))] == 1
    assert m[("birlik_search_requests_total", (("kind", "ui"), ("status", "200")))] == 1
    assert m[("birlik_search_latency_seconds_count", (("kind", "api"),))] == 4
    assert m[("birlik_search_latency_seconds_sum", (("kind", "api"),))] > 0
    # Another app keeps its own registry.
    from search_ui import create_app

    other = create_app(env.config, backend=env.app.extensions["birlik"].backend)
    assert ("birlik_search_requests_total", api_ok) not in metrics(other.test_client())


def test_operator_page_needs_login(env: Env) -> None:
    client = env.app.test_client()
    resp = client.get("/operator/")
    assert resp.status_code == 302
    assert "/login" in resp.headers["Location"]
    raw = client.get("/operator/raw/anl", query_string={"id": BAD_ID})
    assert raw.status_code == 302
    assert client.post("/operator/harvest/anl").status_code == 400  # no CSRF token


def test_operator_page_shows_runs_and_quarantine(env: Env) -> None:
    client = env.app.test_client()
    login(client)
    html = client.get("/operator/", query_string={"lang": "en"}).get_data(as_text=True)
    anl = html[html.index('id="source-anl"') : html.index('id="source-nlrk"')]
    nlrk = html[html.index('id="source-nlrk"') :]
    assert re.search(r'class="held">24<', anl)
    assert "succeeded" in anl and "failed" in nlrk
    assert "Never harvested" not in nlrk
    assert "127.0.0.1:9" in nlrk  # the error names the URL that failed
    assert BAD_ID in anl and "read_marcxml" in anl and "root element &lt;foo&gt;" in anl
    assert 'id="no-scheduler"' in html
    assert re.search(r"<button type=\"submit\" disabled>", anl)
    raw = client.get("/operator/raw/anl", query_string={"id": BAD_ID, "prefix": "marc21"})
    assert raw.status_code == 200
    assert raw.content_type == "application/xml; charset=utf-8"
    assert raw.get_data(as_text=True).startswith("<foo xmlns=")
    assert raw.get_data(as_text=True).endswith(">not MARC</foo>")
    assert "sandbox" in raw.headers["Content-Security-Policy"]
    assert client.get("/operator/raw/anl", query_string={"id": "nope"}).status_code == 404
    ru = client.get("/operator/", query_string={"lang": "ru"}).get_data(as_text=True)
    assert "Записи в карантине" in ru and "успешно" in ru and "Собрать сейчас" in ru
    assert client.get("/operator/raw/zzz", query_string={"id": BAD_ID}).status_code == 404


def test_harvest_now_asks_the_scheduler(env: Env, ops_provider: OpsProviderFactory) -> None:
    client = env.app.test_client()
    login(client)
    token = csrf_token(client, "/operator/")
    resp = client.post("/operator/harvest/anl", data={"csrf_token": token})
    assert resp.status_code == 303
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "only be started while Birlik runs with its scheduler" in page

    gate = threading.Event()

    def job(key: str, stop: threading.Event) -> None:
        gate.wait(10)
        HarvestJob(env.config, env.app.extensions["birlik"].backend)(key, stop)

    sched = Scheduler(env.config, job)
    env.app.extensions["birlik"].extra["scheduler"] = sched
    sched.start()
    try:
        resp = client.post("/operator/harvest/anl", data={"csrf_token": token})
        wait_for(lambda: sched.running("anl"))
        page = client.get(resp.headers["Location"]).get_data(as_text=True)
        assert "A harvest of anl has started." in page
        assert "A harvest is running." in page
        resp = client.post("/operator/harvest/anl", data={"csrf_token": token})
        assert "A harvest of anl is already running." in client.get(
            resp.headers["Location"]
        ).get_data(as_text=True)
        health = client.get("/healthz")
        assert health.status_code == 200 and health.json["checks"]["scheduler"] == "ok"  # type: ignore[index]
        gate.set()
        wait_for(lambda: not sched.running("anl"))
    finally:
        sched.shutdown()
    health = client.get("/healthz")
    assert health.status_code == 503
    assert health.json["checks"]["scheduler"] == "the scheduler is not running"  # type: ignore[index]
    with StateDB(env.config.state_db) as db:
        runs = db.runs("anl")
    assert [r["status"] for r in runs] == ["ok", "ok"]
    assert runs[0]["new"] == 0  # the second run is incremental: nothing new
    assert client.post("/operator/harvest/zzz", data={"csrf_token": token}).status_code == 404


def http_login(session: requests.Session, base: str) -> None:
    """Log in over HTTP the way a browser does: the form's CSRF token, then the POST."""
    form = session.get(base + "/login", timeout=10).text
    m = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert m
    data = {"name": LIBRARIAN, "password": PASSWORD, "csrf_token": m.group(1)}
    assert session.post(base + "/login", data=data, timeout=10).ok


def test_harvest_while_searching(
    tmp_path: Path, ops_provider: OpsProviderFactory, caplog: pytest.LogCaptureFixture
) -> None:
    """A scheduled job harvests and indexes the ANL sample while two HTTP clients search and
    read the operator page, /metrics and /healthz (all reading the same SQLite state
    database): no request fails, nothing is locked."""
    from search_ui import create_app

    caplog.set_level(logging.WARNING)
    provider = ops_provider(SAMPLES / "anl", page_size=10, delay=0.1)  # the run lasts seconds
    config = make_config(tmp_path, provider.url)
    app = create_app(config)
    backend = app.extensions["birlik"].backend
    sched = Scheduler(config, HarvestJob(config, backend))
    app.extensions["birlik"].extra["scheduler"] = sched
    served = ExitStack()
    base = served.enter_context(serving(app))
    done = threading.Event()
    failures: list[str] = []
    during = [0]  # requests answered while the harvest or the index run was going

    def client_loop(n: int) -> None:
        with requests.Session() as session:
            http_login(session, base)
            paths = ["/api/search?q=a", "/?q=kitab", "/operator/", "/metrics", "/healthz"]
            i = n
            while not done.is_set():
                path = paths[i % len(paths)]
                resp = session.get(base + path, timeout=30)
                if sched.running("anl"):
                    during[0] += 1
                if resp.status_code != 200:
                    failures.append(f"{path}: {resp.status_code} {resp.text[:200]}")
                i += 1

    sched.start()
    clients = [threading.Thread(target=client_loop, args=(n,)) for n in range(2)]
    try:
        for t in clients:
            t.start()
        assert sched.trigger("anl")
        wait_for(lambda: sched.running("anl"), timeout=5)
        wait_for(lambda: not sched.running("anl"), timeout=60, every=0.2)
    finally:
        done.set()
        for t in clients:
            t.join()
        sched.shutdown()
        served.close()
        backend.close()
    assert failures == []
    assert during[0] >= 10
    assert "locked" not in caplog.text
    with StateDB(config.state_db) as db:
        last = db.last_run("anl")
        assert last is not None and last["status"] == "ok"
        assert db.counts("anl")[0] > 300
    assert backend.count() > 300
