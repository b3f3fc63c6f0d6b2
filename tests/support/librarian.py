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
