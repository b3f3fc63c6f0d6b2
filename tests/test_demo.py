"""`birlik serve` and `birlik demo` as a reader starts them: real processes, real ports, Ctrl-C."""

from __future__ import annotations

import http.cookiejar
import json
import os
import queue
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import pytest

from tests.support.ui import LIB_NAMES, fill_backend

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "config" / "samples"


class Running:
    """A `birlik` subprocess whose stdout is read line by line in a thread."""

    def __init__(self, *args: str, cwd: Path) -> None:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "birlik", *args],
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.out: list[str] = []  # stdout lines read by url()
        self.err: list[str] = []
        self.pumps = [
            threading.Thread(target=self._pump, args=(self.proc.stdout, self.lines.put)),
            threading.Thread(target=self._pump, args=(self.proc.stderr, self.err.append)),
        ]
        for t in self.pumps:
            t.start()

    @staticmethod
    def _pump(stream: Any, put: Any) -> None:
        for line in stream:
            put(line)

    def url(self, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.2)
            except queue.Empty:
                if self.proc.poll() is not None:
                    break
                continue
            self.out.append(line)
            if "http://" in line:
                return line[line.index("http://") :].strip()
        self.stop()
        raise AssertionError("no URL printed; stderr:\n" + "".join(self.err[-40:]))

    def printed(self, word: str) -> str:
        """The word printed after ``word`` on stdout (before the URL)."""
        for line in self.out:
            words = line.split()
            if word in words[:-1]:
                return words[words.index(word) + 1]
        raise AssertionError(f"{word!r} not printed: {self.out}")

    def interrupt(self, timeout: float = 20) -> int:
        self.proc.send_signal(signal.SIGINT)
        return self.proc.wait(timeout=timeout)

    def stop(self) -> None:
        """Kill the process if it still runs, and close its pipes."""
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        for t in self.pumps:
            t.join(timeout=10)
        for stream in (self.proc.stdout, self.proc.stderr):
            if stream is not None:
                stream.close()


def get_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=10) as resp:
        return json.loads(resp.read())


def login_works(url: str, password: str) -> bool:
    """Log in to the librarian area as ``demo`` (CSRF token from the form) and open it."""
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    with opener.open(url + "login", timeout=10) as resp:
        form = resp.read().decode()
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert token, form
    data = urlencode({"name": "demo", "password": password, "csrf_token": token[1]})
    with opener.open(url + "login", data=data.encode(), timeout=10) as resp:
        resp.read()
    with opener.open(url + "librarian/", timeout=10) as resp:
        return resp.status == 200 and "/login" not in resp.url


def port_is_free(url: str) -> bool:
    """Nothing listens on the URL's port and a new server could bind it (as servers do,
    with SO_REUSEADDR: connections just closed linger in TIME_WAIT)."""
    port = urlsplit(url).port or 0
    with socket.socket() as s:
        if s.connect_ex(("127.0.0.1", port)) == 0:
            return False
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def write_config(tmp_path: Path) -> Path:
    lines = [f'data_dir = "{tmp_path / "data"}"', "[ui]", "port = 0"]
    for key, names in LIB_NAMES.items():
        lines += ["[[sources]]", f'key = "{key}"', f'url = "http://127.0.0.1:9/{key}"']
        lines += ["[sources.name]"] + [f'{lang} = "{name}"' for lang, name in names.items()]
    path = tmp_path / "birlik.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_serve_answers_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    fill_backend(tmp_path / "data").close()
    proc = Running("--config", str(config), "serve", "--port", "0", cwd=tmp_path)
    try:
        url = proc.url(timeout=30)
        body = get_json(url + "api/search?q=" + quote("Абай жолы"))
        assert body["total"] == 1
        with urllib.request.urlopen(url + "?lang=kk", timeout=10) as resp:
            assert 'lang="kk"' in resp.read().decode()
        assert proc.interrupt() == 0
        assert port_is_free(url)
    finally:
        proc.stop()


def test_serve_with_bad_config_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[ui]\nport = 99999\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "birlik", "--config", str(bad), "serve"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "ui.port: must be between 0 and 65535, not 99999" in done.stderr


@pytest.mark.slow
@pytest.mark.skipif(
    not (SAMPLES / "anl" / "repository.toml").exists(), reason="config/samples not present"
)
def test_demo_harvests_indexes_serves_and_reuses_its_data(tmp_path: Path) -> None:
    data = tmp_path / "demo"
    proc = Running("demo", "--port", "0", "--data-dir", str(data), cwd=tmp_path)
    try:
        url = proc.url(timeout=50)
        body = get_json(url + "api/search?size=1")
        assert body["total"] > 0
        assert {f["value"] for f in body["facets"]["library"]} == {"anl", "nlrk"}
        latin = get_json(url + "api/search?size=100&q=" + quote("Abay yolu"))
        assert any(re.search("[А-Яа-яӘәҚқҰұ]", r["title"]) for r in latin["results"])
        with urllib.request.urlopen(url + "?lang=az", timeout=10) as resp:
            assert "Hər iki milli kitabxanada vahid axtarış" in resp.read().decode()
        assert login_works(url, proc.printed("password"))
        assert proc.interrupt() == 0
        assert port_is_free(url)
    finally:
        proc.stop()

    again = Running("demo", "--port", "0", "--data-dir", str(data), cwd=tmp_path)
    try:
        url = again.url(timeout=50)
        assert get_json(url + "api/search")["total"] == body["total"]
        assert again.interrupt() == 0
    finally:
        again.stop()
    with sqlite3.connect(data / "state.sqlite3") as conn:
        runs = conn.execute("SELECT source, status, new FROM runs ORDER BY id").fetchall()
    assert len(runs) == 4
    assert all(status == "ok" for _, status, _ in runs)
    assert [new for _, _, new in runs[2:]] == [0, 0], "a second run harvests only what changed"


def test_bad_port_is_a_usage_error(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "birlik", "demo", "--port", "70000"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "'70000' is not a port number (0-65535)" in done.stderr


def test_busy_port_is_reported(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "birlik", "--config", str(config), "serve", "--port", str(port)],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode == 1
    assert f"birlik serve: cannot listen on 127.0.0.1:{port}" in done.stderr
