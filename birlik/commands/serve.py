"""`birlik serve`: the web UI and JSON API under waitress, until Ctrl-C (or SIGTERM)."""

from __future__ import annotations

import argparse
import logging
import signal
import socket
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

log = logging.getLogger("birlik.serve")


def port_number(text: str) -> int:
    """An argparse type: a TCP port, 0 meaning any free one."""
    if not text.isdigit() or not 0 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number (0-65535)")
    return int(text)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", help="address to bind (default: [ui] host of the config)")
    parser.add_argument(
        "--port", type=port_number, help="port to bind, 0 for any free one (default: [ui] port)"
    )
    parser.add_argument("--threads", type=int, default=4, help="worker threads (default: 4)")


@contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """SIGTERM stops the server the way Ctrl-C does (cleanly), in the main thread only."""
    try:
        previous = signal.signal(signal.SIGTERM, _raise_interrupt)
    except ValueError:  # not the main thread
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _raise_interrupt(_signum: int, _frame: Any) -> None:
    raise KeyboardInterrupt


def listening_socket(host: str, port: int) -> socket.socket:
    """A socket listening on ``host:port``, the first address ``host`` resolves to.

    Bound here rather than by waitress: when the port is taken, waitress's ``create_server``
    raises with its socket, its wake-up pipe and its worker threads left open. This raises
    ``OSError`` with nothing open.
    """
    infos = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    family, _, _, _, address = infos[0]
    return socket.create_server(address, family=family)


def serve_app(app: Any, host: str, port: int, *, threads: int = 4, label: str = "Birlik") -> None:
    """Serve ``app`` with waitress until interrupted; print the URL once it listens."""
    from waitress.server import create_server

    sock = listening_socket(host, port)
    try:
        server: Any = create_server(app, sockets=[sock], threads=threads, ident="birlik")
    except BaseException:
        sock.close()
        raise
    try:
        shown = f"[{host}]" if ":" in host else host
        print(f"{label}: http://{shown}:{server.effective_port}/", flush=True)
        with sigterm_as_interrupt():
            server.run()  # returns on Ctrl-C: waitress handles the KeyboardInterrupt
    finally:
        server.close()
    print(f"{label}: stopped", file=sys.stderr, flush=True)


def run(args: argparse.Namespace) -> int:
    from harvester.config import load_config
    from search_ui import create_app

    config = load_config(args.config)
    app = create_app(config)
    host = args.host or config.ui.host
    port = config.ui.port if args.port is None else args.port
    try:
        serve_app(app, host, port, threads=args.threads)
    except KeyboardInterrupt:
        print("Birlik: stopped", file=sys.stderr)
    except OSError as e:
        log.error("cannot serve on %s:%s: %s", host, port, e)
        print(f"birlik serve: cannot listen on {host}:{port}: {e}", file=sys.stderr)
        return 1
    finally:
        app.extensions["birlik"].backend.close()
    return 0
