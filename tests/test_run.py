"""`birlik run` as a real process: scheduler and UI, SIGTERM mid-harvest, restart.

The provider (a thread of this test process, slowed down) serves 60 items in pages of 5;
the process harvests it every second. SIGTERM in the middle of the first harvest must end
the process within seconds with the page committed; the next start resumes at once, and
the store then holds exactly what a full harvest into a fresh database holds.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import IO

import pytest
import requests

from birlik.cli import main
from harvester.harvest import harvest_sources
from harvester.sqlite import connect
from harvester.store import StateDB
from tests.support.ops import ROOT, OpsProviderFactory, source, wait_for, write_config
from tests.support.provider import sample_items, write_collection


class RunProcess:
    """``birlik --config PATH run --port 0`` in a subprocess; logs go to a file."""

    def __init__(self, config: Path, log: Path) -> None:
        self.log = log.open("a", encoding="utf-8")
        env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "birlik", "--config", str(config), "run", "--port", "0"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=self.log,
            text=True,
        )
        assert self.proc.stdout is not None
        self.url = self._url(self.proc.stdout)

    def _url(self, out: IO[str]) -> str:
        line = out.readline()  # "Birlik: http://127.0.0.1:PORT/" once waitress listens
        assert line.startswith("Birlik: http://"), (line, self.proc.poll())
        return line.split(" ", 1)[1].strip().rstrip("/")

    def terminate(self, timeout: float = 15) -> float:
        """SIGTERM; return how long the process took to exit."""
        started = time.monotonic()
        self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(timeout)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
            self.log.close()
            if self.proc.stdout is not None:
                self.proc.stdout.close()
        assert code == 0
        return time.monotonic() - started


def run_rows(db_path: Path) -> list[dict[str, object]]:
    conn = connect(db_path, readonly=True)
    try:
        return [dict(r) for r in conn.execute("SELECT * FROM runs ORDER BY id")]
    finally:
        conn.close()


def record_set(db_path: Path) -> set[tuple[object, ...]]:
    conn = connect(db_path, readonly=True)
    try:
        return {
            tuple(r)
            for r in conn.execute(
                "SELECT source, identifier, prefix, datestamp, deleted, set_specs, xml"
                " FROM raw_records"
            )
        }
    finally:
        conn.close()


def held(db_path: Path) -> int:
    if not db_path.exists():
        return 0
    conn = connect(db_path, readonly=True)
    try:
        return int(conn.execute("SELECT COUNT(*) FROM raw_records").fetchone()[0])
    finally:
        conn.close()


@pytest.mark.slow
def test_sigterm_mid_harvest_then_restart_gives_the_exact_record_set(
    tmp_path: Path, ops_provider: OpsProviderFactory
) -> None:
    items = sample_items(60)
    provider = ops_provider(write_collection(tmp_path / "c", items), page_size=5, delay=0.1)
    config = write_config(
        tmp_path / "site",
        [source("anl", provider.url)],
        logging={"level": "INFO", "json_file": "data/birlik.jsonl"},
    )
    logs = tmp_path / "stderr.log"

    first = RunProcess(config.path, logs)
    health = requests.get(first.url + "/healthz", timeout=5)
    assert health.status_code == 200, health.text
    wait_for(lambda: held(config.state_db) >= 10, timeout=20)
    seconds = first.terminate()
    assert seconds < 5, f"took {seconds:.1f} s to stop"
    rows = run_rows(config.state_db)
    assert rows[-1]["status"] == "interrupted"
    assert 10 <= held(config.state_db) < 60

    second = RunProcess(config.path, logs)
    wait_for(lambda: any(r["status"] == "ok" for r in run_rows(config.state_db)), timeout=20)
    metrics = requests.get(second.url + "/metrics", timeout=5).text
    assert 'birlik_harvest_runs_total{source="anl",status="interrupted"} 1.0' in metrics
    second.terminate()

    with StateDB(tmp_path / "full" / "state.sqlite3") as full:
        assert harvest_sources(config, full, full=True)["anl"].status == "ok"
    assert record_set(config.state_db) == record_set(full.path)
    assert len(record_set(full.path)) == len(items)

    text = logs.read_text(encoding="utf-8")
    assert "the last run did not finish; resuming it now" in text
    assert "database is locked" not in text
    lines = [json.loads(x) for x in (config.data_dir / "birlik.jsonl").read_text().splitlines()]
    assert all({"time", "level", "logger", "source", "run_id", "message"} <= set(x) for x in lines)
    summaries = [x for x in lines if x["logger"] == "birlik.run" and x.get("status") == "ok"]
    assert summaries, "no summary line of a finished run"
    first_ok = summaries[0]
    assert first_ok["source"] == "anl" and isinstance(first_ok["run_id"], int)
    assert first_ok["new"] + first_ok["deleted"] > 0 and first_ok["records_per_second"] > 0
    harvest_lines = [x for x in lines if x["logger"] == "birlik.harvest"]
    assert harvest_lines and all(x["source"] == "anl" for x in harvest_lines)


def test_run_with_a_bad_config_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "birlik.toml"
    bad.write_text('[[sources]]\nkey = "anl"\nurl = "ftp://x"\n', encoding="utf-8")
    assert main(["--config", str(bad), "run"]) == 2
    err = capsys.readouterr().err
    assert str(bad) in err and "sources[0].url" in err


def test_logging_terminal_lines_and_json_lines(tmp_path: Path) -> None:
    import io
    import logging

    from birlik.logs import log_context, remove_handlers, setup_logging
    from harvester.config import LoggingConfig

    stream = io.StringIO()  # not a terminal: plain timestamped lines
    root_level = logging.getLogger().level
    setup_logging(LoggingConfig("INFO", tmp_path / "logs" / "birlik.jsonl"), stream=stream)
    try:
        log = logging.getLogger("birlik.test")
        with log_context(source="nlrk"):
            log.info("harvest %s ok", "nlrk", extra={"run_id": 7, "new": 3})
            try:
                raise ValueError("bad page")
            except ValueError:
                log.exception("failed")
        log.debug("not shown at INFO")
    finally:
        remove_handlers()
        logging.getLogger().setLevel(root_level)
    assert "INFO birlik.test: harvest nlrk ok" in stream.getvalue()
    lines = (tmp_path / "logs" / "birlik.jsonl").read_text(encoding="utf-8").splitlines()
    first, second = (json.loads(x) for x in lines)
    assert first["message"] == "harvest nlrk ok" and first["level"] == "INFO"
    assert (first["source"], first["run_id"], first["new"]) == ("nlrk", 7, 3)
    assert second["source"] == "nlrk" and second["run_id"] is None
    assert "ValueError: bad page" in second["exception"]
