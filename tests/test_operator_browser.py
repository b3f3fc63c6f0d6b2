"""The operator page in a real browser (Playwright driving Debian's chromium).

A librarian logs in, reads the last run and the quarantined record, opens its raw XML and
presses "Harvest now": the real scheduler runs a real harvest against the provider on
127.0.0.1, and the page then shows the new run.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from birlik.commands.run import HarvestJob
from birlik.scheduler import Scheduler
from harvester.store import StateDB
from tests.support.browser import ARTIFACTS, CHROMIUM, chromium, page_of, serving
from tests.support.librarian import LIBRARIAN, PASSWORD
from tests.support.ops import (
    BAD_ID,
    OpsProviderFactory,
    indexed_site,
    wait_for,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed"),
]


@pytest.fixture
def site(tmp_path: Path, ops_provider: OpsProviderFactory) -> Iterator[tuple[str, Path]]:
    from search_ui import create_app

    config = indexed_site(tmp_path, ops_provider)
    app = create_app(config)
    backend = app.extensions["birlik"].backend
    sched = Scheduler(config, HarvestJob(config, backend))
    app.extensions["birlik"].extra["scheduler"] = sched
    sched.start()
    with serving(app) as url:
        yield url, config.state_db
    sched.shutdown()
    backend.close()


@pytest.fixture
def page() -> Iterator[Any]:
    with chromium() as browser, page_of(browser) as pg:
        yield pg


def test_operator_page_and_harvest_now(page: Any, site: tuple[str, Path]) -> None:
    base, state_db = site
    page.goto(base + "/operator/?lang=en")
    assert "/login" in page.url  # librarians only
    page.fill("#name", LIBRARIAN)
    page.fill("#password", PASSWORD)
    page.click("form.login-form button[type=submit]")
    page.wait_for_url("**/operator/**")
    anl = page.locator("#source-anl")
    assert anl.locator(".held").inner_text() == "24"
    assert anl.locator(".last-run .status").inner_text() == "succeeded"
    assert page.locator("#source-nlrk .last-run .status").inner_text() == "failed"
    assert "127.0.0.1:9" in page.locator("#source-nlrk .run-error").inner_text()
    row = anl.locator(".quarantine tbody tr")
    assert row.count() == 1
    assert BAD_ID in row.inner_text()
    assert "no MARC record in the document" in row.inner_text()
    href = row.locator("a").get_attribute("href")

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "operator-en.png"), full_page=True)

    anl.locator("form.harvest-now button").click()
    page.wait_for_url("**/operator/#source-anl")
    assert "A harvest of anl has started." in page.locator("body").inner_text()

    with StateDB(state_db) as db:
        wait_for(lambda: len(db.runs("anl")) == 2 and db.runs("anl")[0]["status"] == "ok")
    page.reload()
    assert anl.locator(".last-run .status").inner_text() == "succeeded"
    assert not anl.locator("form.harvest-now button").is_disabled()

    raw = page.goto(base + href)
    assert raw is not None and raw.status == 200
    assert raw.headers["content-type"] == "application/xml; charset=utf-8"
    assert "not MARC" in raw.text()
