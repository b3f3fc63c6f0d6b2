"""The duplicate review through the Flask test client on the sample catalogue: the queue,
the comparison, confirm / split / merge, refusals, decisions surviving --rebuild, and a
decision made while the search engine is down."""

from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from harvester.config import Config
from harvester.sqlite import connect
from harvester.store import StateDB
from indexer.backends.base import IndexDoc
from indexer.dedup.store import DedupStore
from indexer.errors import EngineUnavailable
from indexer.pipeline import run_index
from search_ui import create_app, review
from tests.support.librarian import LIBRARIAN, csrf_token, login, review_queue
from tests.support.samples import shared_works

CLUSTER_LINK = re.compile(r'class="cluster-link" href="/librarian/clusters/([^"]+)"')


@pytest.fixture
def app(catalogue: Config) -> Iterator[Flask]:
    app = create_app(catalogue)
    app.testing = True
    yield app
    app.extensions["birlik"].backend.close()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    c = app.test_client()
    login(c)
    return c


def _holders(client: FlaskClient, record_id: str) -> set[str]:
    data = client.get(f"/api/records/{record_id}").get_json()
    return {h["id"] for h in data["holdings"]}


def _decide(client: FlaskClient, cluster_id: str, **form: str | list[str]) -> str:
    token = csrf_token(client, f"/librarian/clusters/{cluster_id}")
    r = client.post(f"/librarian/clusters/{cluster_id}/decide", data={"csrf_token": token, **form})
    assert r.status_code == 302, r.get_data(as_text=True)
    return r.location


def _decisions(config: Config) -> list:
    with StateDB(config.state_db) as db:
        return DedupStore(db.conn).decisions()


def test_queue_least_certain_first(client: FlaskClient, catalogue: Config) -> None:
    items = review_queue(catalogue)
    assert len(items) == sum(p.relation == "same" for p in shared_works())
    certainties = [i.certainty for i in items]
    assert certainties == sorted(certainties)
    html = client.get("/librarian/?lang=en").get_data(as_text=True)
    assert f"{len(items)} clusters of records joined as one work are waiting" in html
    shown = CLUSTER_LINK.findall(html)
    assert len(shown) == 50
    assert shown[0] == items[0].cluster_id
    page2 = CLUSTER_LINK.findall(client.get("/librarian/?page=2").get_data(as_text=True))
    assert page2[0] == items[50].cluster_id


def test_comparison_marks_differences_and_shows_reasons(
    client: FlaskClient, catalogue: Config
) -> None:
    item = review_queue(catalogue)[0]
    html = client.get(f"/librarian/clusters/{item.cluster_id}?lang=en").get_data(as_text=True)
    for rid in item.members:
        assert rid in html
    assert html.index(item.members[0]) < html.index(item.members[1])  # preferred first
    assert re.search(r'<tr class="(same|equivalent)">\s*<th scope="row">Title', html)
    assert "Why they were joined" in html
    assert re.search(r'<ul class="reasons"><li>[^<]+</li>', html)
    assert 'class="differs"' in html or 'class="equivalent"' in html


def test_confirm(client: FlaskClient, catalogue: Config) -> None:
    item = review_queue(catalogue)[0]
    before = time.time()
    where = _decide(
        client, item.cluster_id, action="confirm", note="checked", member=list(item.members)
    )
    assert where == f"/librarian/clusters/{item.cluster_id}"
    (d,) = _decisions(catalogue)
    assert (d.kind, d.action, d.who, d.note) == ("must_link", "confirm", LIBRARIAN, "checked")
    assert {d.a, d.b} == set(item.members)
    assert before - 1 <= d.at <= time.time() + 1
    page = client.get(where + "?lang=en").get_data(as_text=True)
    assert "Confirmed: these records are one work." in page
    assert LIBRARIAN in page
    after = review_queue(catalogue)
    assert after[-1].cluster_id == item.cluster_id and after[-1].confirmed


def test_split_then_rebuild(client: FlaskClient, catalogue: Config) -> None:
    item = review_queue(catalogue)[0]
    a, b = item.members
    assert _holders(client, a) == {a, b}
    _decide(client, item.cluster_id, action="split", record=b, member=[a, b])
    (d,) = _decisions(catalogue)
    assert (d.kind, d.action, d.who) == ("cannot_link", "split", LIBRARIAN)
    assert _holders(client, a) == {a}  # the search index shows it at once
    assert _holders(client, b) == {b}
    with StateDB(catalogue.state_db) as db:
        run_index(catalogue, db, rebuild=True)
    assert item.cluster_id not in {i.cluster_id for i in review_queue(catalogue)}
    conn = connect(catalogue.state_db, readonly=True)
    assert review.cluster_of(conn, a) != review.cluster_of(conn, b)
    conn.close()


def test_merge_two_clusters(client: FlaskClient, catalogue: Config) -> None:
    pair = next(p for p in shared_works() if p.relation == "translation")
    a, n = f"anl:{pair.anl_id}", f"nlrk:{pair.nlrk_id}"
    conn = connect(catalogue.state_db, readonly=True)
    ca, cn = review.cluster_of(conn, a), review.cluster_of(conn, n)
    conn.close()
    assert ca and cn and ca != cn
    where = _decide(client, ca, action="merge", other=n)
    conn = connect(catalogue.state_db, readonly=True)
    assert review.cluster_of(conn, a) == review.cluster_of(conn, n)
    assert where == f"/librarian/clusters/{review.cluster_of(conn, a)}"
    conn.close()
    assert _holders(client, a) == {a, n}
    (d,) = _decisions(catalogue)
    assert (d.kind, d.action) == ("must_link", "merge")


def test_decisions_need_a_csrf_token(client: FlaskClient, catalogue: Config) -> None:
    item = review_queue(catalogue)[0]
    r = client.post(f"/librarian/clusters/{item.cluster_id}/decide", data={"action": "confirm"})
    assert r.status_code == 400
    assert _decisions(catalogue) == []


def test_anonymous_decisions_are_refused(app: Flask, catalogue: Config) -> None:
    item = review_queue(catalogue)[0]
    anon = app.test_client()
    token = csrf_token(anon, "/login")  # a valid token of an anonymous session
    r = anon.post(
        f"/librarian/clusters/{item.cluster_id}/decide",
        data={"action": "confirm", "csrf_token": token},
    )
    assert r.status_code == 302 and r.location.startswith("/login")
    assert anon.get(f"/librarian/clusters/{item.cluster_id}").status_code == 302
    assert _decisions(catalogue) == []


def test_a_stale_form_changes_nothing(client: FlaskClient, catalogue: Config) -> None:
    item = review_queue(catalogue)[0]
    _decide(client, item.cluster_id, action="confirm", member=[item.members[0], "anl:gone"])
    assert _decisions(catalogue) == []
    _decide(client, item.cluster_id, action="split", record="anl:not-a-member")
    assert _decisions(catalogue) == []
    _decide(client, item.cluster_id, action="merge", other="no-such-record")
    assert _decisions(catalogue) == []


def test_unknown_cluster_is_404(client: FlaskClient) -> None:
    assert client.get("/librarian/clusters/no-such-cluster").status_code == 404


@pytest.mark.parametrize("lang", ["kk", "az", "ru"])
def test_librarian_pages_have_no_english(client: FlaskClient, catalogue: Config, lang: str) -> None:
    from tests.test_ui_i18n import leaks_on

    item = review_queue(catalogue)[0]
    where = _decide(client, item.cluster_id, action="confirm", note="ok")
    client.get(where, headers={"Accept-Language": lang})  # shows (and clears) the flash
    pages = [
        "/librarian/",
        f"/librarian/clusters/{item.cluster_id}",
        "/librarian/gaps",
        "/librarian/gaps?have=anl&lack=nlrk&language=kaz",
        "/librarian/gaps?have=anl&lack=anl",
    ]
    for url in pages:
        assert leaks_on(client, url, lang) == [], url
    anonymous = client.application.test_client()
    assert leaks_on(anonymous, "/login?next=/librarian/", lang) == []


def test_librarian_templates_have_no_untranslated_text() -> None:
    from tests.test_ui_i18n import TEMPLATES

    for path in [*TEMPLATES.glob("librarian/*.html"), TEMPLATES / "login.html"]:
        text = path.read_text(encoding="utf-8")
        text = re.sub(r"\{#.*?#\}|\{%.*?%\}|\{\{.*?\}\}", " ", text, flags=re.S)
        text = re.sub(r"<[^>]*>", " ", text)
        words = set(re.findall(r"[A-Za-z]{2,}", text)) - {"ISBN"}
        assert not words, f"{path.name}: untranslated text {sorted(words)}"


def test_three_records_side_by_side(client: FlaskClient, catalogue: Config) -> None:
    item = review_queue(catalogue)[0]
    pair = next(p for p in shared_works() if p.relation == "other_edition")
    third = f"anl:{pair.anl_id}"
    _decide(client, item.cluster_id, action="merge", other=third)
    conn = connect(catalogue.state_db, readonly=True)
    cid = review.cluster_of(conn, item.members[0])
    members = review.cluster_members(conn, cid or "")
    conn.close()
    assert set(members) == {*item.members, third}
    html = client.get(f"/librarian/clusters/{cid}?lang=en").get_data(as_text=True)
    assert len(re.findall(r'<button type="submit" class="split"', html)) == 3
    assert '<tr class="differs">' in html  # another edition: something must differ
    _decide(client, cid or "", action="confirm", member=members)
    confirms = [d for d in _decisions(catalogue) if d.action == "confirm"]
    assert len(confirms) == 2  # the preferred record linked to each of the other two
    assert next(i for i in review_queue(catalogue) if i.cluster_id == cid).confirmed


SAVED_NOT_INDEXED = {
    "en": "The decision was saved, but the search index could not be updated just now:"
    " the search will show it after the next index run.",
    "ru": "Решение сохранено, но поисковый индекс сейчас не удалось обновить: поиск покажет"
    " его после следующей индексации.",
}


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_split_while_the_engine_is_down(
    app: Flask,
    client: FlaskClient,
    catalogue: Config,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    lang: str,
) -> None:
    """The index write fails after the decision is stored: the librarian is told it was
    saved and will reach the search with the next index run, which then writes it."""
    item = review_queue(catalogue)[0]
    a, b = item.members
    backend = app.extensions["birlik"].backend
    add, calls = backend.add, []

    def down_once(docs: list[IndexDoc]) -> int:
        calls.append(len(docs))
        if len(calls) == 1:
            raise EngineUnavailable("the engine at 127.0.0.1:9 refused the connection")
        return add(docs)

    monkeypatch.setattr(backend, "add", down_once)
    client.get(f"/librarian/?lang={lang}")  # the librarian's language, kept in a cookie
    where = _decide(client, item.cluster_id, action="split", record=b, member=[a, b])
    assert calls == [2]  # the failed write: both records, with their new clusters
    assert "split by aigul" in caplog.text and "refused the connection" in caplog.text
    conn = connect(catalogue.state_db, readonly=True)
    ca, cb = review.cluster_of(conn, a), review.cluster_of(conn, b)
    conn.close()
    assert ca != cb  # the decision is stored: the cluster is split in the state DB
    assert where == f"/librarian/clusters/{ca}"  # where a success leads
    (d,) = _decisions(catalogue)
    assert (d.kind, d.action, d.who) == ("cannot_link", "split", LIBRARIAN)
    page = client.get(where).get_data(as_text=True)
    assert SAVED_NOT_INDEXED[lang] in page
    if lang != "en":
        assert SAVED_NOT_INDEXED["en"] not in page
        assert "The record was split out of the cluster." not in page
        assert "Запись выделена из группы." in page
    assert _holders(client, a) == {a, b}  # the search index has not seen it yet
    with StateDB(catalogue.state_db) as db:
        summary = run_index(catalogue, db, backend=backend)
    assert not summary.full and summary.indexed >= 2
    assert _holders(client, a) == {a} and _holders(client, b) == {b}


def test_a_failure_before_the_decision_is_stored_claims_nothing(
    app: Flask, client: FlaskClient, catalogue: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    item = review_queue(catalogue)[0]
    a, b = item.members

    def locked(*args: object, **kwargs: object) -> None:
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(DedupStore, "write_decision", locked)
    token = csrf_token(client, f"/librarian/clusters/{item.cluster_id}")
    r = client.post(
        f"/librarian/clusters/{item.cluster_id}/decide",
        data={"csrf_token": token, "action": "split", "record": b, "member": [a, b]},
    )
    assert r.status_code == 500
    assert _decisions(catalogue) == []
    page = client.get(f"/librarian/clusters/{item.cluster_id}?lang=en").get_data(as_text=True)
    assert "was saved" not in page and "split out" not in page
    assert _holders(client, a) == {a, b}
