"""The UI in a real browser: Playwright driving Debian's chromium (no browser download).

The app runs on a real SQLite index, served by werkzeug on 127.0.0.1 in a thread.
Screenshots of the results page in each language go to test-artifacts/ (git-ignored).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from tests.support.browser import ARTIFACTS, CHROMIUM, chromium, page_of, serving
from tests.support.ui import SHARED_NLRK, XSS_TITLE

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed"),
]


@pytest.fixture(scope="module")
def base_url(ui_app: Flask) -> Iterator[str]:
    with serving(ui_app) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as b:
        yield b


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    with page_of(browser) as pg:
        yield pg


def count(page: Any) -> str:
    return " ".join(page.locator("#results-title").inner_text().split())


def test_latin_query_finds_cyrillic_record(page: Any, base_url: str) -> None:
    page.goto(base_url + "/?lang=en")
    page.fill("#q", "Istoriya Kazakhstana")
    page.press("#q", "Enter")
    page.wait_for_url("**/?q=*")
    assert count(page) == "1 work found"
    assert page.locator(".hit-title a").inner_text() == "История Казахстана"


def test_clicking_a_facet_narrows_the_count(page: Any, base_url: str) -> None:
    page.goto(base_url + "/?subject=Фольклор&lang=en")
    assert count(page) == "30 works found"
    page.locator(".facet-decade a", has_text="1960–1969").click()
    page.wait_for_url("**decade=1960s*")
    assert count(page) == "10 works found"
    page.locator(".chip", has_text="1960–1969").click()
    page.wait_for_load_state()
    assert count(page) == "30 works found"


def test_switching_language_keeps_the_query(page: Any, base_url: str) -> None:
    page.goto(base_url + "/?q=Абай+жолы&library=nlrk&lang=en")
    assert count(page) == "1 work found"
    page.locator(".lang-switch a[hreflang=ru]").click()
    page.wait_for_url("**lang=ru*")
    assert page.get_attribute("html", "lang") == "ru"
    assert page.input_value("#q") == "Абай жолы"
    assert count(page) == "Найдено 1 произведение"
    assert page.locator(".chip", has_text="Библиотека").count() == 1
    page.goto(base_url + "/about")  # the choice is kept
    assert page.get_attribute("html", "lang") == "ru"


def test_record_page_of_a_shared_work_shows_both_libraries(page: Any, base_url: str) -> None:
    page.goto(f"{base_url}/records/{SHARED_NLRK}?lang=kk")
    holdings = page.locator(".holding h3").all_inner_texts()
    assert [" ".join(h.split()) for h in holdings] == [
        "NLRK Қазақстан Республикасының Ұлттық кітапханасы",
        "ANL Әзірбайжан Ұлттық кітапханасы",
    ]
    assert page.locator("table.marc tbody tr").count() >= 3


def test_keyboard_only_search(page: Any, base_url: str) -> None:
    page.goto(base_url + "/?lang=en")
    assert page.evaluate("document.activeElement.id") == "q"  # the home page's search box
    page.keyboard.type("Leyli")
    page.keyboard.press("Enter")
    page.wait_for_url("**q=Leyli*")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Enter")  # skip the header and menus
    for _ in range(40):  # on to the first result
        if page.evaluate("document.activeElement.closest('.hit-title') !== null"):
            break
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Leyli və Məcnun"
    page.keyboard.press("Enter")
    page.wait_for_url("**/records/**")
    assert page.locator("h1").inner_text() == "Leyli və Məcnun"


@pytest.mark.parametrize(
    "path",
    [
        "/?q=script&lang=en",
        "/?language=eng&lang=kk",
        "/records/nlrk:oai:nlrk.kz:1003?lang=ru",
        "/export/json/nlrk:oai:nlrk.kz:1003",
    ],
)
def test_hostile_titles_and_names_are_shown_as_text(page: Any, base_url: str, path: str) -> None:
    response = page.goto(base_url + path) if "export" not in path else None
    if response is None:  # a download: fetch it through the page's own request context
        assert json.loads(page.request.get(base_url + path).text())["title"] == XSS_TITLE
        return
    assert page.locator("img").count() == 0
    assert page.evaluate("document.querySelectorAll('script, [onerror]').length") == 0
    assert "<script>" in page.locator("main").inner_text()


def test_screenshots_of_results_in_each_language(browser: Any, base_url: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    for lang in ("kk", "az", "ru", "en"):
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        pg = context.new_page()
        pg.goto(f"{base_url}/?q=Абай+жолы&lang={lang}")
        pg.screenshot(path=str(ARTIFACTS / f"results-{lang}.png"), full_page=True)
        context.close()
        assert (ARTIFACTS / f"results-{lang}.png").stat().st_size > 10_000
    phone = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2)
    pg = phone.new_page()
    pg.goto(f"{base_url}/?subject=Фольклор&lang=kk")
    width = pg.evaluate("document.documentElement.scrollWidth")
    pg.screenshot(path=str(ARTIFACTS / "results-kk-phone.png"), full_page=True)
    phone.close()
    assert width <= 390, "the results page scrolls sideways on a phone"
