"""Shared fixtures. Area-specific fixtures live in tests/support/<area>.py, listed below."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins: list[str] = [
    "tests.support.oai",
    "tests.support.oai_targets",
    "tests.support.provider",
    "tests.support.records",
    "tests.support.backends",
    "tests.support.ui",
    "tests.support.librarian",
    "tests.support.ops",
]

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture
def state_db(tmp_path: Path):
    """A real, empty state database in a temporary directory."""
    from harvester.store import StateDB

    db = StateDB(tmp_path / "state.sqlite3")
    yield db
    db.close()
