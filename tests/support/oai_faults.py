"""Serving WSGI apps on 127.0.0.1 for tests, and faults injected in front of a provider.

``Faulty`` is a WSGI middleware between the real client and the real provider: it logs
every request and can answer 503s, HTML pages, expired tokens, or damage the real page
(cut it, reset the connection mid-body, insert forbidden characters, repeat the token).
"""

from __future__ import annotations

import html
import re
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from email.utils import formatdate
from socketserver import ThreadingMixIn
from typing import Any
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

# -- serving over HTTP on 127.0.0.1 -----------------------------------------------------


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass

    def get_environ(self) -> dict[str, Any]:
        env = super().get_environ()
        env["birlik.test.socket"] = self.connection
        return env


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # faults break connections on purpose


@dataclass
class Served:
    url: str
    port: int
    httpd: WSGIServer
    thread: threading.Thread

    def shutdown(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(5)

    def __enter__(self) -> Served:
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()


def serve_wsgi(app: Callable[..., Iterable[bytes]]) -> Served:
    httpd = make_server("127.0.0.1", 0, app, server_class=_ThreadingServer, handler_class=_Quiet)
    thread = threading.Thread(
        target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    port = httpd.server_address[1]
    return Served(f"http://127.0.0.1:{port}/oai", port, httpd, thread)


# -- faults ---------------------------------------------------------------------------------

HTML_PAGE = (
    b"<!DOCTYPE html><html><head><title>502 Proxy Error</title></head>"
    b"<body><h1>Proxy Error</h1><p>The proxy server received an invalid response."
    b"</p></body></html>"
)


def resuming(params: dict[str, str]) -> bool:
    return "resumptionToken" in params and params.get("verb") == "ListRecords"


def listing(params: dict[str, str]) -> bool:
    return params.get("verb") == "ListRecords"


@dataclass
class Fault:
    kind: str
    when: Callable[[dict[str, str]], bool] = resuming
    times: int = 1
    skip: int = 0  # matching requests to let through first
    retry_after: str = "0"


@dataclass
class Faulty:
    """WSGI middleware: logs requests (``params``) and injects the queued faults."""

    app: Callable[..., Iterable[bytes]]
    delay: float = 0.0
    faults: list[Fault] = field(default_factory=list)
    params: list[dict[str, str]] = field(default_factory=list)
    fired: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, **kw: Any) -> Faulty:
        self.faults.append(Fault(kind, **kw))
        return self

    def _take(self, params: dict[str, str]) -> Fault | None:
        with self.lock:
            for f in self.faults:
                if f.times > 0 and f.when(params):
                    if f.skip > 0:
                        f.skip -= 1
                        continue
                    f.times -= 1
                    self.fired.append(f.kind)
                    return f
        return None

    def requests(self, verb: str = "ListRecords") -> list[dict[str, str]]:
        return [p for p in self.params if p.get("verb") == verb]

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        params = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        with self.lock:
            self.params.append(params)
        if self.delay:
            time.sleep(self.delay)
        fault = self._take(params)
        if fault is None:
            return self.app(environ, start_response)
        k = fault.kind
        if k in ("503", "503-date", "500"):
            headers = [("Content-Type", "text/plain")]
            if k == "503":
                headers.append(("Retry-After", fault.retry_after))
            elif k == "503-date":
                headers.append(("Retry-After", formatdate(time.time() + 30, usegmt=True)))
            start_response("503 Service Unavailable" if k != "500" else "500 Oops", headers)
            return [b"busy"]
        if k == "html":
            start_response("200 OK", [("Content-Type", "text/html")])
            return [HTML_PAGE]
        if k == "expired":
            body = (
                b'<?xml version="1.0" encoding="UTF-8"?><OAI-PMH xmlns='
                b'"http://www.openarchives.org/OAI/2.0/"><responseDate>2024-01-01T00:00:00Z'
                b'</responseDate><request verb="ListRecords">http://127.0.0.1/oai</request>'
                b'<error code="badResumptionToken">The token has expired</error></OAI-PMH>'
            )
            start_response("200 OK", [("Content-Type", "text/xml")])
            return [body]
        status, headers, body = _call(self.app, environ)
        if k == "truncate":
            body = body[: len(body) * 6 // 10]
        elif k == "badchars":
            at = body.find(b"</", body.find(b"<metadata"))
            body = body[:at] + b"\x01\x0b&#x8;&#1;\x1f" + body[at:]
        elif k == "repeat":
            token = html.escape(params.get("resumptionToken", "")).encode()
            body = re.sub(
                rb"(<resumptionToken[^>]*>)[^<]*(</resumptionToken>)",
                rb"\g<1>" + token + rb"\g<2>",
                body,
            )
        elif k == "reset":
            return _reset(environ, start_response, status, body)
        headers = [(h, v) for h, v in headers if h.lower() != "content-length"]
        start_response(status, [*headers, ("Content-Length", str(len(body)))])
        return [body]


def _call(app: Callable[..., Iterable[bytes]], environ: dict[str, Any]) -> tuple[str, list, bytes]:
    got: dict[str, Any] = {}

    def start(status: str, headers: list, exc_info: Any = None) -> None:
        got["status"], got["headers"] = status, headers

    body = b"".join(app(environ, start))
    return got["status"], got["headers"], body


def _reset(
    environ: dict[str, Any], start_response: Callable[..., Any], status: str, body: bytes
) -> Iterator[bytes]:
    """Announce the whole body, send half of it, then reset the TCP connection."""
    start_response(status, [("Content-Type", "text/xml"), ("Content-Length", str(len(body)))])
    yield body[: len(body) // 2]
    sock: socket.socket = environ["birlik.test.socket"]
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()
