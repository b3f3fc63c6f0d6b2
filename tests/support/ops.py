"""Fixtures for the operations tests: providers that can be slowed down, configs on disk.

``ops_provider(directory, page_size=…, delay=…)`` serves a collection directory over HTTP on
127.0.0.1 through ``Slow`` (a WSGI wrapper that sleeps before each answer, so a harvest
lasts long enough to overlap a cron tick or to be stopped in the middle).
``write_config(dir, sources)`` writes a real ``birlik.toml`` and loads it; ``make_config``
and ``ops_items`` are the small site most operations tests share.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from harvester.config import Config, load_config
from harvester.provider import Collection, Server, make_app, serve
from tests.support.librarian import LIBRARIAN, PASSWORD, password_hash
from tests.support.provider import SampleItem, sample_items

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "config" / "samples"
EVERY_SECOND = "* * * * * *"  # six fields: seconds first


class Slow:
    """WSGI middleware: sleep ``delay`` seconds before each request; counts requests."""

    def __init__(self, app: Any, delay: float = 0.0) -> None:
        self.app = app
        self.delay = delay
        self.requests = 0

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        self.requests += 1
        if self.delay:
            time.sleep(self.delay)
        return self.app(environ, start_response)


@dataclass
class OpsProvider:
    server: Server
    collection: Collection
    slow: Slow

    @property
    def url(self) -> str:
        return self.server.url


OpsProviderFactory = Callable[..., OpsProvider]


@pytest.fixture
def ops_provider(tmp_path: Path) -> Iterator[OpsProviderFactory]:
    """``start(directory, page_size=25, delay=0.0)`` → a running ``OpsProvider``."""
    started: list[OpsProvider] = []

    def start(directory: Path, page_size: int = 25, delay: float = 0.0) -> OpsProvider:
        db = tmp_path / f"provider-{len(started)}.sqlite3"
        collection = Collection.from_directory(directory, db)
        slow = Slow(make_app(collection, page_size=page_size), delay)
        p = OpsProvider(serve(slow), collection, slow)
        started.append(p)
        return p

    yield start
    for p in started:
        p.server.shutdown()
        p.collection.close()


def _toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'


def write_config(
    directory: Path,
    sources: list[dict[str, Any]],
    *,
    logging: dict[str, Any] | None = None,
    librarians: list[dict[str, str]] | None = None,
    ui: dict[str, Any] | None = None,
) -> Config:
    """Write ``directory/birlik.toml`` (data in ``directory/data``) and load it."""
    lines = ['data_dir = "data"', "[index]", 'backend = "sqlite"']
    for table, values in (("ui", ui), ("logging", logging)):
        if values:
            lines.append(f"[{table}]")
            lines += [f"{k} = {_toml(v)}" for k, v in values.items()]
    for s in sources:
        lines.append("[[sources]]")
        lines += [f"{k} = {_toml(v)}" for k, v in s.items()]
    for lib in librarians or ():
        lines.append("[[librarians]]")
        lines += [f"{k} = {_toml(v)}" for k, v in lib.items()]
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "birlik.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return load_config(path)


def source(key: str, url: str, schedule: str = EVERY_SECOND, **kw: Any) -> dict[str, Any]:
    """A source table for ``write_config``: quick to give up on a dead provider."""
    return {
        "key": key,
        "url": url,
        "metadata_prefix": "marc21",
        "schedule": schedule,
        "timeout": 5,
        "max_retries": 0,
        **kw,
    }


def wait_for(check: Callable[[], Any], timeout: float = 15.0, every: float = 0.05) -> Any:
    """Poll ``check`` until it returns something true; fail the test after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {check}")
        time.sleep(every)


BAD_ID = "oai:anl.az:bad-1"
NEVER = "0 0 1 1 *"  # once a year: these tests start runs by hand


def ops_items() -> list[SampleItem]:
    """25 sample items (2 deletions) and one whose MARC record is no MARC at all."""
    bad = SampleItem(BAD_ID, "2024-03-01T10:00:00Z", metadata={"marc21": "<foo>not MARC</foo>"})
    return [*sample_items(25), bad]


def make_config(directory: Path, anl_url: str, **kw: Any) -> Config:
    """ANL at ``anl_url`` and NLRK at a dead address, both on a yearly cron; a librarian."""
    return write_config(
        directory,
        [source("anl", anl_url, NEVER), source("nlrk", "http://127.0.0.1:9/oai", NEVER)],
        librarians=[{"name": LIBRARIAN, "password_hash": password_hash(PASSWORD)}],
        **kw,
    )


def indexed_site(tmp_path: Path, ops_provider: OpsProviderFactory, page_size: int = 7) -> Config:
    """A site (``make_config``) whose ANL, served from ``ops_items()``, is harvested and
    indexed once: the quarantined record and a finished run are there to be shown."""
    from harvester.harvest import harvest_sources
    from harvester.store import StateDB
    from indexer.pipeline import run_index
    from tests.support.provider import write_collection

    provider = ops_provider(write_collection(tmp_path / "coll", ops_items()), page_size=page_size)
    config = make_config(tmp_path / "site", provider.url)
    with StateDB(config.state_db) as db:
        harvest_sources(config, db)
        run_index(config, db)
    return config
