"""`birlik user`, `birlik duplicates`: accounts written into the config, clusters listed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from werkzeug.security import check_password_hash

from birlik.cli import main
from birlik.commands import user
from harvester.config import Config, load_config
from harvester.store import StateDB
from indexer.backends.sqlite import SQLiteBackend
from indexer.pipeline import apply_decision
from search_ui import create_app
from tests.support.librarian import login
from tests.support.samples import shared_works

ROOT = Path(__file__).resolve().parent.parent
COMMENTED = """# Birlik test config: this comment must survive
data_dir = "var"   # beside this file

[index]
backend = "sqlite"

[[sources]]
key = "anl"   # Baku
url = "http://127.0.0.1:9/anl"
"""


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    path = tmp_path / "birlik.toml"
    path.write_text(COMMENTED, encoding="utf-8")
    return path


def birlik(config: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "birlik", "--config", str(config), *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )


def test_user_add_round_trip(config_file: Path) -> None:
    r = birlik(config_file, "user", "add", "aigul", stdin="Tulpar-2013 қазақша\n")
    assert r.returncode == 0, r.stderr
    assert "added librarian 'aigul'" in r.stderr
    text = config_file.read_text(encoding="utf-8")
    assert text.startswith(COMMENTED)  # comments and layout kept, the entry appended
    assert "Tulpar" not in text
    config = load_config(config_file)
    (lib,) = config.librarians
    assert lib.name == "aigul"
    assert check_password_hash(lib.password_hash, "Tulpar-2013 қазақша")
    backend = SQLiteBackend(config_file.parent / "index", "birlik")
    try:
        app = create_app(config, backend=backend)
        client = app.test_client()
        assert login(client, "aigul", "Tulpar-2013 қазақша").status_code == 302
        assert client.get("/librarian/").status_code == 200
    finally:
        backend.close()


def test_user_add_refuses_and_replaces(
    config_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    user.add_librarian(config_file, "rashad", "first-password")
    before = config_file.read_text(encoding="utf-8")
    with pytest.raises(Exception, match="already exists"):
        user.add_librarian(config_file, "rashad", "second-password")
    assert config_file.read_text(encoding="utf-8") == before
    assert user.add_librarian(config_file, "rashad", "second-password", replace=True)
    (lib,) = load_config(config_file).librarians
    assert check_password_hash(lib.password_hash, "second-password")
    user.add_librarian(config_file, "aigul", "third-password")
    assert main(["--config", str(config_file), "user", "list"]) == 0
    assert capsys.readouterr().out.split() == ["rashad", "aigul"]
    assert main(["--config", str(config_file), "user", "remove", "rashad"]) == 0
    assert [x.name for x in load_config(config_file).librarians] == ["aigul"]
    assert main(["--config", str(config_file), "user", "remove", "rashad"]) == 1
    assert main(["--config", str(config_file), "user", "remove", "aigul"]) == 0
    assert config_file.read_text(encoding="utf-8") == COMMENTED


def test_user_add_short_password_or_bad_name_writes_nothing(config_file: Path) -> None:
    r = birlik(config_file, "user", "add", "aigul", stdin="short\n")
    assert r.returncode == 1 and "at least 8 characters" in r.stderr
    r = birlik(config_file, "user", "add", "two words", stdin="long enough\n")
    assert r.returncode == 2 and "librarians.name" in r.stderr
    assert config_file.read_text(encoding="utf-8") == COMMENTED


def test_user_add_on_a_terminal_asks_twice(
    config_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    answers = iter(["first-password", "other-password"])
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)  # a terminal cannot be real here
    monkeypatch.setattr(user.getpass, "getpass", lambda prompt: next(answers))
    assert main(["--config", str(config_file), "user", "add", "aigul"]) == 1
    assert config_file.read_text(encoding="utf-8") == COMMENTED
    answers = iter(["same-password", "same-password"])
    assert main(["--config", str(config_file), "user", "add", "aigul"]) == 0
    assert load_config(config_file).librarians[0].name == "aigul"


def test_user_add_on_a_broken_config(tmp_path: Path) -> None:
    path = tmp_path / "birlik.toml"
    path.write_text("data_dir = [\n", encoding="utf-8")
    r = birlik(path, "user", "add", "aigul", stdin="long enough\n")
    assert r.returncode == 2 and "not valid TOML" in r.stderr
    assert path.read_text(encoding="utf-8") == "data_dir = [\n"


def test_duplicates_json(catalogue: Config, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--config", str(catalogue.path), "duplicates", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    same = {
        frozenset({f"anl:{p.anl_id}", f"nlrk:{p.nlrk_id}"})
        for p in shared_works()
        if p.relation == "same"
    }
    assert data["total"] == len(data["clusters"]) == len(same)
    assert {frozenset(m["id"] for m in c["members"]) for c in data["clusters"]} == same
    first = data["clusters"][0]
    assert [m["preferred"] for m in first["members"]] == [True, False]
    assert first["pairs"][0]["verdict"] == "same" and first["pairs"][0]["reasons"]
    certainties = [c["certainty"] for c in data["clusters"]]
    assert certainties == sorted(certainties)


def test_duplicates_text_shows_decisions(
    catalogue: Config, capsys: pytest.CaptureFixture[str]
) -> None:
    pair = next(p for p in shared_works() if p.relation == "same")
    a, n = f"anl:{pair.anl_id}", f"nlrk:{pair.nlrk_id}"
    backend = SQLiteBackend(catalogue.data_dir, catalogue.index.name)
    with StateDB(catalogue.state_db) as db:
        apply_decision(db, backend, "must_link", [(a, n)], "confirm", "aigul", "seen")
    backend.close()
    assert main(["--config", str(catalogue.path), "duplicates"]) == 0
    out = capsys.readouterr()
    assert "clusters" in out.err
    assert "confirm by aigul at " in out.out and "(seen)" in out.out
    assert out.out.count("cluster ") == len([p for p in shared_works() if p.relation == "same"])


def test_duplicates_before_indexing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "birlik.toml"
    path.write_text(COMMENTED, encoding="utf-8")
    assert main(["--config", str(path), "duplicates"]) == 1
    assert "no state database at" in capsys.readouterr().err
