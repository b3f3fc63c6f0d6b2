"""`birlik harvest` and `birlik status`, in-process and as a process killed with SIGKILL."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from birlik.cli import main
from harvester.store import StateDB
from tests.support.oai import Provider, make_items, stored, write_config
from tests.support.oai_targets import OaipmhTarget as Target
from tests.support.oai_targets import assert_store_exact

ROOT = Path(__file__).resolve().parent.parent


def test_harvest_and_status(
    tmp_path: Path, oai_provider: Callable[..., Provider], capsys: pytest.CaptureFixture
) -> None:
    p: Provider = oai_provider(make_items(23, deleted_every=5), page_size=5)
    cfg = write_config(tmp_path, {"anl": p.url, "nlrk": "http://127.0.0.1:9/oai"}, max_retries=0)
    assert main(["--config", str(cfg), "harvest", "anl"]) == 0
    out = capsys.readouterr().out
    assert "anl: ok, 19 new, 0 updated, 4 deleted" in out

    assert main(["--config", str(cfg), "status", "--json"]) == 0
    status = json.loads(capsys.readouterr().out)["sources"]
    anl = next(s for s in status if s["source"] == "anl")
    assert (anl["records"], anl["deletions"]) == (19, 4)
    assert anl["last_run"]["status"] == "ok" and anl["last_run"]["new"] == 19
    nlrk = next(s for s in status if s["source"] == "nlrk")
    assert nlrk["last_run"] is None and nlrk["records"] == 0

    assert main(["--config", str(cfg), "harvest"]) == 1  # nlrk cannot be reached
    out = capsys.readouterr().out
    assert "anl: ok" in out and "nlrk: failed" in out and "127.0.0.1:9/oai" in out
    assert main(["--config", str(cfg), "status"]) == 0
    text = capsys.readouterr().out
    assert "anl (anl): 19 records, 4 deletions" in text and "error: source 'nlrk'" in text


def test_bad_usage_exits_2(
    tmp_path: Path, oai_provider: Callable[..., Provider], capsys: pytest.CaptureFixture
) -> None:
    cfg = write_config(tmp_path, {"anl": oai_provider(make_items(1)).url})
    assert main(["--config", str(cfg), "harvest", "kbr"]) == 2
    assert "no source 'kbr' (configured: anl)" in capsys.readouterr().err
    with pytest.raises(SystemExit) as info:
        main(["--config", str(cfg), "harvest", "--from", "last tuesday"])
    assert info.value.code == 2
    assert "not a datestamp" in capsys.readouterr().err


def test_sigkill_mid_list_then_resume(
    tmp_path: Path, oai_provider: Callable[..., Provider]
) -> None:
    p: Provider = oai_provider(make_items(150), page_size=5, delay=0.03)
    cfg = write_config(tmp_path, {"anl": p.url})
    db_path = tmp_path / "data" / "state.sqlite3"
    cmd = [sys.executable, "-m", "birlik", "--config", str(cfg), "harvest"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 30
        held = 0
        while held < 20 and time.monotonic() < deadline:
            time.sleep(0.02)
            if db_path.exists():
                with StateDB(db_path) as db:
                    held = len(stored(db, "anl"))
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(10)
    assert proc.returncode == -signal.SIGKILL
    with StateDB(db_path) as db:
        held = len(stored(db, "anl"))
        token = db.checkpoint("anl", "", "marc21").token
    assert 20 <= held < 150 and token  # killed mid-list, with a committed token

    p.faulty.params.clear()
    p.faulty.delay = 0
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert p.faulty.requests()[0] == {"verb": "ListRecords", "resumptionToken": token}
    with StateDB(db_path) as db:
        assert_store_exact(db, "anl", Target(p))
        runs = db.runs("anl")
        assert [r["status"] for r in runs] == ["ok", "abandoned"]
        assert (runs[0]["new"], runs[0]["unchanged"]) == (150 - held, 0)  # nothing twice


def test_window_flags_reach_the_provider(
    tmp_path: Path, oai_provider: Callable[..., Provider], capsys: pytest.CaptureFixture
) -> None:
    p: Provider = oai_provider(make_items(10), page_size=50)
    cfg = str(write_config(tmp_path, {"anl": p.url}))
    assert (
        main(
            ["--config", cfg, "harvest", "--from", "2024-01-01T00:03:00Z", "--until", "2024-01-01"]
        )
        == 0
    )
    first = p.faulty.requests()[-1]
    assert (first["from"], first["until"]) == ("2024-01-01T00:03:00Z", "2024-01-01T23:59:59Z")
    assert "anl: ok, 7 new" in capsys.readouterr().out
    assert main(["--config", cfg, "harvest", "--full", "anl"]) == 0
    assert "from" not in p.faulty.requests()[-1]
    assert "anl: ok, 3 new, 0 updated, 0 deleted, 7 unchanged" in capsys.readouterr().out


def test_a_second_harvest_of_a_running_source_is_skipped(
    tmp_path: Path, oai_provider: Callable[..., Provider], capsys: pytest.CaptureFixture
) -> None:
    """A CLI harvest while another process (e.g. `birlik run`) harvests the same source:
    refused with a clear message; the running one is not disturbed nor marked abandoned."""
    p: Provider = oai_provider(make_items(60), page_size=5, delay=0.15)
    cfg = write_config(tmp_path, {"anl": p.url})
    first = subprocess.Popen(
        [sys.executable, "-m", "birlik", "--config", str(cfg), "harvest", "anl"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        lock = tmp_path / "data" / "locks" / "anl.lock"
        deadline = time.monotonic() + 20
        while not (lock.exists() and lock.read_text().strip() == str(first.pid)):
            assert time.monotonic() < deadline, "the first harvest never took its lock"
            time.sleep(0.05)
        assert main(["--config", str(cfg), "harvest", "anl"]) == 1
        out = capsys.readouterr().out
        assert "anl: skipped" in out
        assert f"another harvest of 'anl' is running (process {first.pid})" in out
        stdout, stderr = first.communicate(timeout=60)
    finally:
        if first.poll() is None:
            first.kill()
            first.communicate()
    assert first.returncode == 0, stderr
    assert "anl: ok, 60 new" in stdout
    with StateDB(tmp_path / "data" / "state.sqlite3") as db:
        runs = db.conn.execute("SELECT status FROM runs").fetchall()
        assert [r[0] for r in runs] == ["ok"]
        assert len(stored(db, "anl")) == 60
    assert main(["--config", str(cfg), "harvest", "anl"]) == 0  # the lock went with it
