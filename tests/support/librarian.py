"""Fixtures for the librarian area: an app with two librarian accounts, and a login helper.

``auth_app`` runs on the small UI catalogue of ``tests.support.ui`` with an empty state
database; the review and gap tests build their own state from the sample collections.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.security import generate_password_hash

from harvester.config import Config, parse_config
from indexer.backends.sqlite import SQLiteBackend
from tests.support.ui import LIB_NAMES, fill_backend

LIBRARIAN = "aigul"
PASSWORD = "Tulpar-2013 қазақша"
OTHER = "rashad"
OTHER_PASSWORD = "Nizami-1141"
# Hashes made once per run: werkzeug's scrypt costs ~50 ms each.
_HASHES: dict[str, str] = {}

_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def password_hash(password: str) -> str:
    if password not in _HASHES:
        _HASHES[password] = generate_password_hash(password)
    return _HASHES[password]


def librarian_config(data_dir: Path, *, host: str = "127.0.0.1", **extra: Any) -> Config:
    """A config with both sample libraries and two librarian accounts."""
    raw: dict[str, Any] = {
        "data_dir": str(data_dir),
        "ui": {"host": host},
        "sources": [
            {"key": k, "url": f"http://127.0.0.1:9/{k}", "metadata_prefix": "marc21", "name": n}
            for k, n in LIB_NAMES.items()
        ],
        "librarians": [
            {"name": LIBRARIAN, "password_hash": password_hash(PASSWORD)},
            {"name": OTHER, "password_hash": password_hash(OTHER_PASSWORD)},
        ],
    }
    raw.update(extra)
    return parse_config(raw, data_dir / "birlik.toml")


def csrf_token(client: FlaskClient, path: str = "/login") -> str:
    """The CSRF token of the form on ``path`` (the session cookie is kept by the client)."""
    html = client.get(path).get_data(as_text=True)
    m = _TOKEN.search(html)
    assert m, f"no csrf_token field on {path}"
    return m.group(1)


def login(client: FlaskClient, name: str = LIBRARIAN, password: str = PASSWORD) -> Any:
    token = csrf_token(client)
    return client.post("/login", data={"name": name, "password": password, "csrf_token": token})


@pytest.fixture(scope="session")
def auth_backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SQLiteBackend]:
    backend = fill_backend(tmp_path_factory.mktemp("auth-index"))
    yield backend
    backend.close()


@pytest.fixture
def auth_app(tmp_path: Path, auth_backend: SQLiteBackend) -> Flask:
    from search_ui import create_app

    app = create_app(librarian_config(tmp_path), backend=auth_backend)
    app.testing = True
    return app


@pytest.fixture
def auth_client(auth_app: Flask) -> FlaskClient:
    return auth_app.test_client()


def write_config(directory: Path, urls: dict[str, str] | None = None) -> Path:
    """A config file on disk (for the CLI) with the sample libraries and both librarians."""
    lines = ['data_dir = "data"', "", "[index]", 'backend = "sqlite"', 'name = "birlik"', ""]
    for key, names in LIB_NAMES.items():
        url = (urls or {}).get(key, f"http://127.0.0.1:9/{key}")
        lines += ["[[sources]]", f'key = "{key}"', f'url = "{url}"', 'metadata_prefix = "marc21"']
        lines += ["[sources.name]", *(f'{lang} = "{n}"' for lang, n in names.items()), ""]
    for name, pw in ((LIBRARIAN, PASSWORD), (OTHER, OTHER_PASSWORD)):
        lines += ["[[librarians]]", f'name = "{name}"', f'password_hash = "{password_hash(pw)}"']
    path = directory / "birlik.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def sample_catalogue(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory with birlik.toml and data/: both sample collections harvested over HTTP
    from real providers on 127.0.0.1, normalised, deduplicated and indexed (SQLite)."""
    from harvester.config import load_config
    from harvester.harvest import harvest_sources
    from harvester.provider import Collection, make_app, serve
    from harvester.store import StateDB
    from indexer.pipeline import run_index
    from tests.support.samples import SAMPLES

    work = tmp_path_factory.mktemp("catalogue")
    servers = []
    urls = {}
    try:
        for key in LIB_NAMES:
            coll = Collection.from_directory(SAMPLES / key, work / f"{key}.provider.sqlite3")
            server = serve(make_app(coll))
            servers.append((coll, server))
            urls[key] = server.url
        config = load_config(write_config(work, urls))
        with StateDB(config.state_db) as db:
            for summary in harvest_sources(config, db).values():
                assert summary.status == "ok", summary
            run_index(config, db)
            db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        for coll, server in servers:
            server.shutdown()
            coll.close()
    for key in LIB_NAMES:
        (work / f"{key}.provider.sqlite3").unlink(missing_ok=True)
    return work


@pytest.fixture
def catalogue(sample_catalogue: Path, tmp_path: Path) -> Config:
    """A private copy of the sample catalogue; its config (load_config of the copy)."""
    import shutil

    from harvester.config import load_config

    dest = tmp_path / "catalogue"
    shutil.copytree(sample_catalogue, dest, ignore=shutil.ignore_patterns("*.provider.*"))
    return load_config(dest / "birlik.toml")


def review_queue(config: Config) -> list[Any]:
    """The review queue as the librarians' page reads it (read-only connection)."""
    from harvester.sqlite import connect
    from search_ui import review

    conn = connect(config.state_db, readonly=True)
    try:
        return review.queue(conn)
    finally:
        conn.close()
