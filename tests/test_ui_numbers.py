"""Counts in the UI are written the way each language writes numbers (CLDR, through Babel):
``370,000`` in English, ``370 000`` with a no-break space in Russian and Kazakh, Azerbaijani
as Babel says. The plural form still follows the number itself; the JSON API keeps plain
integers.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
from babel.numbers import format_decimal
from flask import Flask
from flask.testing import FlaskClient
from lxml import html

from harvester.config import Config
from indexer.backends.base import SearchQuery, SearchResult
from indexer.backends.sqlite import SQLiteBackend
from search_ui import i18n
from tests.test_ui_i18n import leaks_on
from tests.test_ui_pages import _Estimating, estimating_client

NBSP = "\u00a0"
_SPACES = re.compile(r"[ \t\r\n]+")
AZ = format_decimal(370_000, locale="az")  # CLDR's az grouping, whatever it is


class _Large(_Estimating):
    """A very large catalogue as an engine reports it: a million records, and an estimate
    of 370,000 works for any search that matches (the pages past the 30 real ones are
    empty, as when an estimate is high). Facet counts are scaled up the same way."""

    TOTAL = 370_000

    def estimate(self, total: int) -> int:
        return self.TOTAL if total else 0

    def count(self) -> int:
        return 1_000_000

    def search(self, query: SearchQuery) -> SearchResult:
        result = super().search(query)
        facets = {
            name: tuple(dataclasses.replace(v, count=v.count * 1000) for v in values)
            for name, values in result.facets.items()
        }
        return dataclasses.replace(result, facets=facets)


class _LargeOdd(_Large):
    TOTAL = 370_001  # Russian "one" form: the plural follows the number, not its text


def raw(client: FlaskClient, url: str, lang: str, xpath: str) -> list[str]:
    """Text of the elements at ``xpath``: runs of ASCII white space squeezed, no-break
    spaces kept (``str.split()`` would take them for white space too)."""
    resp = client.get(url, headers={"Accept-Language": lang})
    assert resp.status_code == 200, (url, resp.status_code)
    doc = html.fromstring(resp.data)
    return [_SPACES.sub(" ", e.text_content()).strip() for e in doc.xpath(xpath)]


HEADING = "//h1[@id='results-title']"
FOLKLORE = "/?subject=Фольклор&size=5"


@pytest.mark.parametrize(
    ("lang", "heading"),
    [
        ("en", "About 370,000 works found"),
        ("ru", f"Найдено около 370{NBSP}000 произведений"),
        ("kk", f"Шамамен 370{NBSP}000 шығарма табылды"),
        ("az", f"Təxminən {AZ} əsər tapıldı"),
    ],
)
def test_the_results_heading_groups_digits_per_language(
    ui_env: tuple[Config, SQLiteBackend, Path], lang: str, heading: str
) -> None:
    with estimating_client(ui_env, _Large) as client:
        assert raw(client, FOLKLORE, lang, HEADING) == [heading]
        if lang != "en":
            assert leaks_on(client, FOLKLORE, lang) == []


def test_babel_groups_azerbaijani_digits() -> None:
    """az has a separator of its own in CLDR (a full stop today), not plain digits."""
    assert (AZ[:3], AZ[4:]) == ("370", "000") and not AZ[3].isdigit()


def test_the_plural_form_follows_the_number(ui_env: tuple[Config, SQLiteBackend, Path]) -> None:
    with estimating_client(ui_env, _LargeOdd) as client:
        (ru,) = raw(client, FOLKLORE, "ru", HEADING)
        assert ru == f"Найдено около 370{NBSP}001 произведения"
        (en,) = raw(client, FOLKLORE, "en", HEADING)
        assert en == "About 370,001 works found"


def test_pager_and_facet_counts_are_grouped(ui_env: tuple[Config, SQLiteBackend, Path]) -> None:
    with estimating_client(ui_env, _Large) as client:
        # 370,000 works in pages of 5: the pager stops at the engines' deepest page, 2,000
        assert raw(client, FOLKLORE, "en", "//p[@class='page-of']") == ["Page 1 of 2,000"]
        assert raw(client, FOLKLORE, "ru", "//p[@class='page-of']") == [f"Страница 1 из 2{NBSP}000"]
        # past the real end, far down: the way back and the pager's numbers are grouped too
        deep = f"{FOLKLORE}&page=1999"
        assert raw(client, deep, "en", "//nav[@class='pagination']//a") == [
            "1,995",
            "1,996",
            "1,997",
            "1,998",
        ]
        assert "Go back to page 1,998" in raw(
            client, deep, "en", "//div[contains(@class,'past-the-end')]//a"
        )
        assert f"Вернуться на страницу 1{NBSP}998" in raw(
            client, deep, "ru", "//div[contains(@class,'past-the-end')]//a"
        )
        # facet values: 30 folklore works x 1000 in the double
        counts = raw(client, FOLKLORE, "en", "//aside[@class='facets']//span[@class='count']")
        assert "30,000" in counts and all(c.replace(",", "").isdigit() for c in counts)
        counts = raw(client, FOLKLORE, "kk", "//aside[@class='facets']//span[@class='count']")
        assert f"30{NBSP}000" in counts


def test_the_catalogue_size_is_grouped(ui_env: tuple[Config, SQLiteBackend, Path]) -> None:
    expected = {
        "en": "The catalogue holds 1,000,000 records.",
        "ru": f"В каталоге 1{NBSP}000{NBSP}000 записей.",
        "kk": f"Каталогта 1{NBSP}000{NBSP}000 жазба бар.",
        "az": f"Kataloqda {format_decimal(1_000_000, locale='az')} yazı var.",
    }
    with estimating_client(ui_env, _Large) as client:
        for lang, text in expected.items():
            assert raw(client, "/", lang, "//p[@class='stats']") == [text], lang
            assert text in raw(client, "/about", lang, "//article//p"), lang


def test_the_api_keeps_plain_integers(ui_env: tuple[Config, SQLiteBackend, Path]) -> None:
    with estimating_client(ui_env, _Large) as client:
        for lang in ("en", "ru", "az"):
            resp = client.get("/api/search" + FOLKLORE[1:], headers={"Accept-Language": lang})
            data = resp.get_json()
            assert data["total"] == 370_000 and isinstance(data["total"], int)
            assert b"370,000" not in resp.data and "370\u00a0000".encode() not in resp.data
            counts = [v["count"] for values in data["facets"].values() for v in values]
            assert counts and all(isinstance(c, int) for c in counts)


@pytest.mark.parametrize(
    ("lang", "text"),
    [("en", "1,234,567"), ("ru", f"1{NBSP}234{NBSP}567"), ("kk", f"1{NBSP}234{NBSP}567")],
)
def test_number_follows_the_request_language(ui_app: Flask, lang: str, text: str) -> None:
    with ui_app.test_request_context(f"/?lang={lang}"):
        assert i18n.number(1_234_567) == text
        assert i18n.number(7) == "7"
        assert i18n.number(None) == ""
