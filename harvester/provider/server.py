"""Serve a WSGI app on 127.0.0.1 in a background thread (tests, benchmarks, ``birlik demo``)."""

from __future__ import annotations

import threading
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server


class _QuietHandler(WSGIRequestHandler):
    """No access log on stderr: tests and benchmarks run thousands of requests."""

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True


class Server:
    """A running threaded HTTP server; ``url`` is its OAI-PMH base URL."""

    def __init__(self, app: Any, host: str = "127.0.0.1", port: int = 0, path: str = "/oai"):
        self._httpd = make_server(
            host, port, app, server_class=_ThreadingServer, handler_class=_QuietHandler
        )
        self.host = host
        self.port: int = self._httpd.server_address[1]
        self.url = f"http://{host}:{self.port}{path}"
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.1},
            name=f"oai-provider-{self.port}",
            daemon=True,
        )
        self._thread.start()

    def shutdown(self) -> None:
        """Stop serving and release the port."""
        if self._thread.is_alive():
            self._httpd.shutdown()
            self._thread.join()
        self._httpd.server_close()

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()


def serve(app: Any, host: str = "127.0.0.1", port: int = 0) -> Server:
    """Start serving ``app`` on host:port (0 = a free port) in a daemon thread."""
    return Server(app, host, port)
