"""The review flow in a real browser (Playwright driving Debian's chromium): log in, confirm,
split, log out; the decisions are still in force after `birlik index --rebuild`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from birlik.cli import main
from harvester.config import Config
from harvester.sqlite import connect
from search_ui import create_app, review
from tests.support.browser import ARTIFACTS, CHROMIUM, chromium, page_of, serving
from tests.support.librarian import LIBRARIAN, PASSWORD, review_queue

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed"),
]


@pytest.fixture
def served(catalogue: Config) -> Iterator[str]:
    app = create_app(catalogue)
    with serving(app) as url:
        yield url
    app.extensions["birlik"].backend.close()


@pytest.fixture
def page(served: str) -> Iterator[Any]:
    with chromium() as browser, page_of(browser) as pg:
        yield pg


def _cluster_of(config: Config, record_id: str) -> str | None:
    conn = connect(config.state_db, readonly=True)
    try:
        return review.cluster_of(conn, record_id)
    finally:
        conn.close()


def test_review_flow(page: Any, served: str, catalogue: Config) -> None:
    first, second = review_queue(catalogue)[:2]
    page.goto(served + "/librarian/?lang=en")
    assert "/login" in page.url  # anonymous: sent to the login page
    page.fill("#name", LIBRARIAN)
    page.fill("#password", "wrong password")
    page.click("button[type=submit]")
    assert page.locator(".form-error").inner_text() == "The name or the password is wrong."
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/librarian/?lang=en")
    assert page.locator("h1").inner_text() == "Duplicate review"

    # Confirm the least certain cluster (the first in the queue).
    page.locator("a.cluster-link").first.click()
    page.wait_for_url(f"**/librarian/clusters/{first.cluster_id}")
    assert page.locator("table.compare thead th").count() == 1 + len(first.members)
    assert page.locator("ul.reasons li").count() >= 1
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "librarian-compare.png"), full_page=True)
    page.fill("#note-confirm", "same edition, checked on the shelf")
    page.click("#confirm")
    assert page.locator(".flash").inner_text() == "Confirmed: these records are one work."
    assert page.locator("table.decisions tbody tr").count() == len(first.members) - 1
    assert LIBRARIAN in page.locator("table.decisions").inner_text()

    # Split the second record of the next cluster out.
    page.goto(f"{served}/librarian/clusters/{second.cluster_id}")
    out = second.members[1]
    page.locator(f"button.split[data-record='{out}']").click()
    assert page.locator(".flash").inner_text() == "The record was split out of the cluster."
    holders = page.request.get(f"{served}/api/records/{out}").json()["holdings"]
    assert [h["id"] for h in holders] == [out]

    page.goto(f"{served}/librarian/gaps?have=anl&lack=nlrk&language=kaz&lang=ru")
    page.screenshot(path=str(ARTIFACTS / "librarian-gaps-ru.png"), full_page=True)
    assert page.locator("table.gaps tbody tr").count() > 0

    # Log out: the librarian pages are closed again.
    page.click(".logout-form button")
    page.wait_for_url("**/login")
    assert page.locator(".flash").inner_text() == "Вы вышли из системы."  # Russian was kept
    page.goto(served + "/librarian/")
    assert "/login" in page.url

    # Both decisions hold after a full rebuild.
    assert main(["--config", str(catalogue.path), "index", "--rebuild"]) == 0
    after = {i.cluster_id: i for i in review_queue(catalogue)}
    assert after[first.cluster_id].confirmed
    assert _cluster_of(catalogue, out) != _cluster_of(catalogue, second.members[0])
    assert second.cluster_id not in after
