"""`birlik serve` on a port that is taken: exit 1 with a clear message, and nothing left
open (socket, waitress's wake-up pipe, worker threads), checked in-process so
``filterwarnings = error`` would see a ResourceWarning."""

from __future__ import annotations

import errno
import gc
import os
import socket
import threading
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from birlik.cli import main
from birlik.commands.serve import serve_app


@pytest.fixture
def busy_port() -> Iterator[int]:
    """A port of 127.0.0.1 that another socket listens on."""
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        yield busy.getsockname()[1]


def _open_fds() -> set[str]:
    return set(os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else set()


@contextmanager
def nothing_leaked() -> Iterator[None]:
    """Fail if the block leaves a file descriptor or thread open, or an object behind that
    warns it was not closed."""
    fds, threads = _open_fds(), set(threading.enumerate())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
        gc.collect()
    assert [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)] == []
    assert set(threading.enumerate()) - threads == set()
    assert _open_fds() - fds == set()


def _app(environ: dict[str, object], start_response: Callable[..., object]) -> list[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok"]


def test_serve_app_on_a_busy_port_raises_and_closes_everything(busy_port: int) -> None:
    with nothing_leaked(), pytest.raises(OSError) as raised:
        serve_app(_app, "127.0.0.1", busy_port, threads=2)
    assert raised.value.errno == errno.EADDRINUSE


def test_birlik_serve_on_a_busy_port_exits_1_and_leaks_nothing(
    busy_port: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "birlik.toml"
    config.write_text(
        f'data_dir = "{tmp_path / "data"}"\n[[sources]]\nkey = "anl"\n'
        'url = "http://127.0.0.1:9/anl"\n[sources.name]\nen = "ANL"\n',
        encoding="utf-8",
    )
    with nothing_leaked():
        code = main(["--config", str(config), "serve", "--port", str(busy_port)])
    assert code == 1
    err = capsys.readouterr().err
    assert f"birlik serve: cannot listen on 127.0.0.1:{busy_port}: " in err
    assert "Address already in use" in err
