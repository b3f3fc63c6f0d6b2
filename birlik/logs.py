"""Logging set-up from the config: readable lines on a terminal, JSON lines to a file.

Fields passed with ``extra=`` (``source``, ``run_id``, counts …) appear as keys of the
JSON object; on the terminal the message alone is shown, it already says what happened.
``log_context(source=…)`` adds fields to every record logged in the current thread (or
context) meanwhile, so the harvester's own lines carry the source of the job running them.
"""

from __future__ import annotations

import contextvars
import json
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from harvester.config import LoggingConfig

_STANDARD = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime"}


_context: contextvars.ContextVar[dict[str, object] | None] = contextvars.ContextVar(
    "birlik_log_context", default=None
)


@contextmanager
def log_context(**fields: object) -> Iterator[None]:
    """Attach ``fields`` to every log record of this context (unless a record sets them)."""
    token = _context.set({**(_context.get() or {}), **fields})
    try:
        yield
    finally:
        _context.reset(token)


class ContextFilter(logging.Filter):
    """Copies the fields of ``log_context`` onto each record passing through a handler."""

    def filter(self, record: logging.LogRecord) -> bool:
        for key, value in (_context.get() or {}).items():
            if getattr(record, key, None) is None:
                setattr(record, key, value)
        return True


class JSONLineFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, source, run_id, message, fields."""

    def format(self, record: logging.LogRecord) -> str:
        obj: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "source": getattr(record, "source", None),
            "run_id": getattr(record, "run_id", None),
            "message": record.getMessage(),
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD and key not in obj:
                plain = isinstance(value, (str, int, float, bool, type(None)))
                obj[key] = value if plain else str(value)
        if record.exc_info:
            obj["exception"] = self.formatException(record.exc_info)
        return json.dumps(obj, ensure_ascii=False)


_installed: list[logging.Handler] = []


def remove_handlers() -> None:
    """Take Birlik's handlers off the root logger again (tests; embedding applications)."""
    root = logging.getLogger()
    for h in _installed:
        root.removeHandler(h)
        h.close()
    _installed.clear()


def setup_logging(cfg: LoggingConfig | None = None, *, stream: object = None) -> None:
    """Install Birlik's handlers on the root logger (idempotent: replaces earlier ones)."""
    cfg = cfg or LoggingConfig()
    remove_handlers()
    root = logging.getLogger()
    root.setLevel(cfg.level)
    out = stream or sys.stderr
    console: logging.Handler
    isatty = getattr(out, "isatty", None)
    if callable(isatty) and isatty():
        from rich.logging import RichHandler

        console = RichHandler(show_path=False, rich_tracebacks=False)
        console.setFormatter(logging.Formatter("%(message)s", datefmt="[%X]"))
    else:
        console = logging.StreamHandler(out)  # type: ignore[arg-type]
        console.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    _installed.append(console)
    if cfg.json_file:
        Path(cfg.json_file).parent.mkdir(parents=True, exist_ok=True)
        fh = logging.FileHandler(cfg.json_file, encoding="utf-8")
        fh.setFormatter(JSONLineFormatter())
        _installed.append(fh)
    for h in _installed:
        h.addFilter(ContextFilter())
        root.addHandler(h)
    # Libraries that talk too much at INFO.
    for name in (
        "urllib3",
        "elastic_transport",
        "opensearch",
        "apscheduler",
        "waitress.queue",
    ):
        logging.getLogger(name).setLevel(max(logging.WARNING, root.level))
