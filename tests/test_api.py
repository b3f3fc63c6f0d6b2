"""The JSON API: its shape as DESIGN.md states it, filters, paging, and errors word for word."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from indexer.backends.base import SearchQuery, SearchResult
from indexer.backends.sqlite import SQLiteBackend
from indexer.errors import BackendError
from tests.support.ui import SHARED_ANL, SHARED_NLRK, ui_config

RESULT_KEYS = ["id", "title", "authors", "year", "languages", "holdings", "links"]


def get(ui_client: FlaskClient, url: str, status: int = 200) -> Any:
    resp = ui_client.get(url)
    assert resp.status_code == status, resp.data
    assert resp.mimetype == "application/json"
    return resp.get_json()


def test_search_has_exactly_the_documented_shape(ui_client: FlaskClient) -> None:
    body = get(ui_client, "/api/search?q=Leyli")
    assert list(body) == ["total", "page", "size", "results", "facets"]
    assert (body["total"], body["page"], body["size"]) == (1, 1, 20)
    (hit,) = body["results"]
    assert list(hit) == RESULT_KEYS
    assert hit["id"] == "anl:oai:anl.az:2002"
    assert hit["title"] == "Leyli və Məcnun"
    assert hit["authors"] == ["Füzuli, Məhəmməd"]
    assert hit["year"] == 2005
    assert hit["languages"] == ["aze"]
    assert hit["holdings"] == [{"library": "anl", "id": "anl:oai:anl.az:2002"}]
    assert hit["links"] == [{"url": "https://e.example.az/leyli.pdf", "label": "PDF"}]
    assert list(body["facets"]) == ["library", "language", "type", "year"]
    assert body["facets"]["year"] == [{"value": "2005", "count": 1}]
    assert body["facets"]["library"] == [{"value": "anl", "count": 1}]


def test_one_result_per_cluster_with_every_library(ui_client: FlaskClient) -> None:
    (hit,) = get(ui_client, "/api/search?q=Абай жолы")["results"]
    assert hit["id"] in (SHARED_NLRK, SHARED_ANL)
    assert sorted(hit["holdings"], key=lambda h: h["library"]) == [
        {"library": "anl", "id": SHARED_ANL},
        {"library": "nlrk", "id": SHARED_NLRK},
    ]


@pytest.mark.parametrize(
    ("query", "total"),
    [
        ("", 35),
        ("library=anl", 3),
        ("library=anl&library=nlrk", 35),
        ("language=aze", 2),
        ("type=serial", 1),
        ("year_from=2000", 3),
        ("year_from=1950&year_to=1959", 10),
        ("subject=Фольклор", 30),
        ("has_link=true", 3),
        ("has_link=true&library=anl", 1),
        ("q=Казахстана&language=rus", 1),
    ],
)
def test_filters_narrow(ui_client: FlaskClient, query: str, total: int) -> None:
    assert get(ui_client, f"/api/search?{query}")["total"] == total


def test_sort_and_paging(ui_client: FlaskClient) -> None:
    asc = get(ui_client, "/api/search?subject=Фольклор&sort=year_asc&size=5")
    years = [r["year"] for r in asc["results"]]
    assert years == [1950, 1951, 1952, 1953, 1954]
    desc = get(ui_client, "/api/search?subject=Фольклор&sort=year_desc&size=5&page=2")
    assert (desc["page"], desc["size"], desc["total"]) == (2, 5, 30)
    assert [r["year"] for r in desc["results"]] == [1974, 1973, 1972, 1971, 1970]
    last = get(ui_client, "/api/search?subject=Фольклор&sort=year_asc&size=7&page=5")
    assert [r["year"] for r in last["results"]] == [1978, 1979]


def test_record_with_holdings_and_source(ui_client: FlaskClient) -> None:
    body = get(ui_client, f"/api/records/{SHARED_ANL}")
    assert body["id"] == SHARED_ANL
    assert body["title"] == "Abai joly"
    assert {h["library"] for h in body["holdings"]} == {"anl", "nlrk"}
    assert body["source"]["format"] == "marc21"
    assert body["source"]["xml"].startswith("<record")
    assert "raw_xml" not in body


ERRORS = [
    (
        "/api/search?page=x",
        400,
        "bad_parameter",
        "parameter 'page' must be a whole number from 1 to 500, not 'x'",
    ),
    (
        "/api/search?page=0",
        400,
        "bad_parameter",
        "parameter 'page' must be a whole number from 1 to 500, not '0'",
    ),
    (
        "/api/search?size=101",
        400,
        "bad_parameter",
        "parameter 'size' must be a whole number from 1 to 100, not '101'",
    ),
    (
        "/api/search?size=10&page=1001",
        400,
        "bad_parameter",
        "parameter 'page' must be a whole number from 1 to 1000, not '1001'",
    ),
    (
        "/api/search?sort=popular",
        400,
        "bad_parameter",
        "parameter 'sort' must be one of relevance, year_desc, year_asc, title, not 'popular'",
    ),
    (
        "/api/search?library=bnf",
        400,
        "bad_parameter",
        "parameter 'library' must be one of anl, nlrk, not 'bnf'",
    ),
    (
        "/api/search?year_from=1990s",
        400,
        "bad_parameter",
        "parameter 'year_from' must be a year from 0 to 9999, not '1990s'",
    ),
    (
        "/api/search?year_from=2000&year_to=1990",
        400,
        "bad_parameter",
        "parameter 'year_to' must be a year not before year_from (2000), not '1990'",
    ),
    (
        "/api/records/nlrk:oai:nlrk.kz:none",
        404,
        "not_found",
        "no record with id 'nlrk:oai:nlrk.kz:none'",
    ),
    ("/api/nothing", 404, "not_found", "no such API endpoint: /api/nothing"),
]


@pytest.mark.parametrize(("url", "status", "code", "message"), ERRORS)
def test_errors_word_for_word(
    ui_client: FlaskClient, url: str, status: int, code: str, message: str
) -> None:
    assert get(ui_client, url, status) == {"error": {"code": code, "message": message}}


def test_wrong_method(ui_client: FlaskClient) -> None:
    resp = ui_client.post("/api/search")
    assert resp.status_code == 405
    assert resp.get_json() == {
        "error": {"code": "method_not_allowed", "message": "method POST is not allowed; use GET"}
    }


def test_unreadable_query_is_a_400_without_trace(ui_client: FlaskClient) -> None:
    body = get(ui_client, "/api/search?q=" + "a" * 1200, 400)
    assert list(body) == ["error"]
    assert body["error"]["code"] == "bad_query"
    assert body["error"]["message"]
    assert "Traceback" not in body["error"]["message"]


class FailingBackend(SQLiteBackend):
    """A real index whose searches fail, as when the engine is down (an injected fault)."""

    def search(self, query: SearchQuery) -> SearchResult:
        raise BackendError("engine down: connection refused at 127.0.0.1:9")


def test_backend_failure_is_503_json(tmp_path: Path) -> None:
    from search_ui import create_app

    app = create_app(ui_config(tmp_path), backend=FailingBackend(tmp_path / "index"))
    resp = app.test_client().get("/api/search?q=x")
    assert resp.status_code == 503
    assert resp.get_json() == {
        "error": {
            "code": "unavailable",
            "message": "the search index is not available; try again later",
        }
    }
    page = app.test_client().get("/?q=x", headers={"Accept-Language": "ru"})
    assert page.status_code == 503
    assert "Каталог недоступен" in page.text
    assert "connection refused" not in page.text
