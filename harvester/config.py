"""Birlik's configuration: one TOML file, declared as data, validated once at start.

Every setting is listed in ``SETTINGS`` / ``SOURCE_SETTINGS`` with its default and help
text (datasette's idea); the README documents each of them and a test checks it does.
Paths in the file are relative to the file. ``BIRLIK_CONFIG`` or ``--config`` chooses it.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from harvester.errors import ConfigError

LANGS = ("kk", "az", "ru", "en")
BACKENDS = ("sqlite", "elasticsearch", "opensearch")
DEFAULT_CONFIG = Path("config/birlik.toml")


@dataclass(frozen=True)
class Setting:
    key: str
    default: Any
    help: str
    type: type | tuple[type, ...]


# Top-level and table settings, keyed by their dotted path.
SETTINGS: tuple[Setting, ...] = (
    Setting("data_dir", "var", "Directory for the state database, the FTS index and logs.", str),
    Setting("index.backend", "sqlite", "Search backend: sqlite, elasticsearch or opensearch.", str),
    Setting("index.url", "http://127.0.0.1:9200", "URL of a remote search engine.", str),
    Setting("index.name", "birlik", "Index alias (engines) or index file stem (sqlite).", str),
    Setting(
        "index.workers",
        0,
        "Processes normalising large index runs; 0 = one per CPU, 1 = none.",
        int,
    ),
    Setting("ui.host", "127.0.0.1", "Address the web UI binds to.", str),
    Setting("ui.port", 5000, "Port of the web UI.", int),
    Setting("ui.secret_key", "", "Session signing key; empty = generated, kept in data_dir.", str),
    Setting("logging.level", "INFO", "Log level: DEBUG, INFO, WARNING, ERROR.", str),
    Setting("logging.json_file", "", "If set, also write JSON lines to this file.", str),
)

SOURCE_SETTINGS: tuple[Setting, ...] = (
    Setting("key", None, "Short unique key; appears in record ids and facets.", str),
    Setting("url", None, "OAI-PMH base URL (http or https).", str),
    Setting("metadata_prefix", "oai_dc", "marc21 (MARCXML), oai_dc, unimarc, rusmarc …", str),
    Setting("sets", [], "setSpecs to harvest; empty = the whole repository.", list),
    Setting(
        "schedule",
        "0 2 * * *",
        "Cron expression for `birlik run` (5 fields; 6 = seconds first).",
        str,
    ),
    Setting("timeout", 60, "Seconds per HTTP request.", (int, float)),
    Setting("max_retries", 5, "Retries for 503, other 5xx, timeouts, connection errors.", int),
    Setting("delay", 0.0, "Seconds between requests (politeness).", (int, float)),
    Setting("name", {}, "Display names: a table with kk, az, ru and en.", dict),
)

LIBRARIAN_SETTINGS: tuple[Setting, ...] = (
    Setting("name", None, "Login name of a librarian.", str),
    Setting("password_hash", None, "Werkzeug password hash (`birlik user add NAME`).", str),
)


@dataclass(frozen=True)
class SourceConfig:
    key: str
    url: str
    metadata_prefix: str = "oai_dc"
    sets: tuple[str, ...] = ()
    schedule: str = "0 2 * * *"
    timeout: float = 60
    max_retries: int = 5
    delay: float = 0.0
    name: dict[str, str] = field(default_factory=dict)

    def display_name(self, lang: str) -> str:
        return self.name.get(lang) or self.name.get("en") or self.key


@dataclass(frozen=True)
class IndexConfig:
    backend: str = "sqlite"
    url: str = "http://127.0.0.1:9200"
    name: str = "birlik"
    workers: int = 0


@dataclass(frozen=True)
class UIConfig:
    host: str = "127.0.0.1"
    port: int = 5000
    secret_key: str = ""


@dataclass(frozen=True)
class LoggingConfig:
    level: str = "INFO"
    json_file: Path | None = None


@dataclass(frozen=True)
class Librarian:
    name: str
    password_hash: str


@dataclass(frozen=True)
class Config:
    path: Path
    data_dir: Path
    index: IndexConfig
    ui: UIConfig
    logging: LoggingConfig
    sources: tuple[SourceConfig, ...]
    librarians: tuple[Librarian, ...] = ()

    @property
    def state_db(self) -> Path:
        return self.data_dir / "state.sqlite3"

    def source(self, key: str) -> SourceConfig:
        for s in self.sources:
            if s.key == key:
                return s
        known = ", ".join(s.key for s in self.sources) or "none"
        raise ConfigError(self.path, "sources", f"no source {key!r} (configured: {known})")


_KEY_RE = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")


def config_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The config file to use: ``--config``, else ``BIRLIK_CONFIG``, else ``config/birlik.toml``."""
    if explicit:
        return Path(explicit)
    env = os.environ.get("BIRLIK_CONFIG")
    return Path(env) if env else DEFAULT_CONFIG


def load_config(path: str | os.PathLike[str] | None = None) -> Config:
    """Read and validate the configuration; raise ``ConfigError`` naming file, key and problem."""
    p = config_path(path)
    try:
        raw = tomllib.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(p, "", "file not found") from None
    except UnicodeDecodeError as e:
        raise ConfigError(p, "", f"not UTF-8 text ({e.reason} at byte {e.start})") from None
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(p, "", f"not valid TOML: {e}") from None
    return parse_config(raw, p)


def parse_config(raw: dict[str, Any], path: Path) -> Config:
    """Validate a parsed TOML document (``path`` is used for messages and relative paths)."""
    known_top = {"data_dir", "index", "ui", "logging", "sources", "librarians"}
    _no_unknown(raw, known_top, path, "")
    base = path.parent
    data_dir = _get(raw, "data_dir", path, "")
    index_raw = _table(raw, "index", path)
    _no_unknown(index_raw, {"backend", "url", "name", "workers"}, path, "index.")
    backend = _get(index_raw, "backend", path, "index.")
    if backend not in BACKENDS:
        raise ConfigError(
            path, "index.backend", f"must be one of {', '.join(BACKENDS)}, not {backend!r}"
        )
    index_url = _get(index_raw, "url", path, "index.")
    _check_url(index_url, path, "index.url")
    workers = _get(index_raw, "workers", path, "index.")
    if not 0 <= workers <= 256:
        raise ConfigError(path, "index.workers", f"must be between 0 and 256, not {workers}")
    index = IndexConfig(backend, index_url, _get(index_raw, "name", path, "index."), workers)
    ui_raw = _table(raw, "ui", path)
    _no_unknown(ui_raw, {"host", "port", "secret_key"}, path, "ui.")
    port = _get(ui_raw, "port", path, "ui.")
    if not 0 <= port <= 65535:
        raise ConfigError(path, "ui.port", f"must be between 0 and 65535, not {port}")
    ui = UIConfig(_get(ui_raw, "host", path, "ui."), port, _get(ui_raw, "secret_key", path, "ui."))
    log_raw = _table(raw, "logging", path)
    _no_unknown(log_raw, {"level", "json_file"}, path, "logging.")
    level = str(_get(log_raw, "level", path, "logging.")).upper()
    if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
        raise ConfigError(path, "logging.level", f"unknown level {level!r}")
    json_file = _get(log_raw, "json_file", path, "logging.")
    logging_cfg = LoggingConfig(level, (base / json_file) if json_file else None)

    sources_raw = raw.get("sources", [])
    if not isinstance(sources_raw, list) or not all(isinstance(s, dict) for s in sources_raw):
        raise ConfigError(path, "sources", "must be an array of tables ([[sources]])")
    sources: list[SourceConfig] = []
    seen: set[str] = set()
    for i, s in enumerate(sources_raw):
        src = _parse_source(s, path, i)
        if src.key in seen:
            raise ConfigError(path, f"sources[{i}].key", f"duplicate source key {src.key!r}")
        seen.add(src.key)
        sources.append(src)

    libs_raw = raw.get("librarians", [])
    if not isinstance(libs_raw, list) or not all(isinstance(x, dict) for x in libs_raw):
        raise ConfigError(path, "librarians", "must be an array of tables ([[librarians]])")
    librarians = []
    for i, lib in enumerate(libs_raw):
        where = f"librarians[{i}]."
        _no_unknown(lib, {"name", "password_hash"}, path, where)
        name = _required(lib, "name", str, path, where)
        pw = _required(lib, "password_hash", str, path, where)
        if ":" not in pw or "$" not in pw:
            raise ConfigError(
                path, where + "password_hash", "must be a password hash, not a password"
            )
        librarians.append(Librarian(name, pw))

    return Config(
        path=path,
        data_dir=(base / data_dir).resolve(),
        index=index,
        ui=ui,
        logging=logging_cfg,
        sources=tuple(sources),
        librarians=tuple(librarians),
    )


def _parse_source(s: dict[str, Any], path: Path, i: int) -> SourceConfig:
    where = f"sources[{i}]."
    _no_unknown(s, {x.key for x in SOURCE_SETTINGS}, path, where)
    key = _required(s, "key", str, path, where)
    if not _KEY_RE.match(key):
        raise ConfigError(
            path, where + "key", f"{key!r} must be lower-case letters, digits, '-' or '_' (max 32)"
        )
    url = _required(s, "url", str, path, where)
    _check_url(url, path, where + "url")
    values: dict[str, Any] = {}
    for st in SOURCE_SETTINGS:
        if st.key in ("key", "url"):
            continue
        values[st.key] = _get(s, st.key, path, where, settings=SOURCE_SETTINGS)
    if not values["metadata_prefix"]:
        raise ConfigError(path, where + "metadata_prefix", "must not be empty")
    if not all(isinstance(x, str) and x for x in values["sets"]):
        raise ConfigError(path, where + "sets", "must be a list of non-empty setSpec strings")
    check_cron(values["schedule"], path, where + "schedule")
    for k in ("timeout", "delay"):
        if values[k] < 0 or (k == "timeout" and values[k] == 0):
            raise ConfigError(path, where + k, f"must be positive, not {values[k]}")
    if values["max_retries"] < 0:
        raise ConfigError(path, where + "max_retries", "must be 0 or more")
    names = values["name"]
    bad = [k for k in names if k not in LANGS]
    if bad:
        raise ConfigError(path, where + "name", f"unknown language {bad[0]!r} (use kk, az, ru, en)")
    if not all(isinstance(v, str) for v in names.values()):
        raise ConfigError(path, where + "name", "names must be strings")
    return SourceConfig(
        key=key,
        url=url.rstrip("?"),
        metadata_prefix=values["metadata_prefix"],
        sets=tuple(values["sets"]),
        schedule=values["schedule"],
        timeout=float(values["timeout"]),
        max_retries=values["max_retries"],
        delay=float(values["delay"]),
        name=dict(names),
    )


def cron_trigger(expr: str) -> Any:
    """The APScheduler trigger of a cron expression: 5 fields, or 6 with seconds first."""
    from apscheduler.triggers.cron import CronTrigger

    fields = expr.split()
    if len(fields) == 5:
        return CronTrigger.from_crontab(expr, timezone="UTC")
    if len(fields) == 6:
        second, minute, hour, day, month, dow = fields
        return CronTrigger(
            second=second,
            minute=minute,
            hour=hour,
            day=day,
            month=month,
            day_of_week=dow,
            timezone="UTC",
        )
    raise ValueError(f"cron expression {expr!r} must have 5 fields (or 6, seconds first)")


def check_cron(expr: str, path: Path, key: str) -> None:
    """Reject a cron expression APScheduler cannot read."""
    if len(expr.split()) not in (5, 6):
        raise ConfigError(path, key, f"cron expression {expr!r} must have 5 fields")
    try:
        cron_trigger(expr)
    except ValueError as e:
        raise ConfigError(path, key, f"bad cron expression {expr!r}: {e}") from None


def _check_url(url: str, path: Path, key: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(path, key, f"{url!r} is not an http(s) URL")
    try:
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError:
        raise ConfigError(path, key, f"{url!r} has a bad port") from None


def _table(raw: dict[str, Any], name: str, path: Path) -> dict[str, Any]:
    t = raw.get(name, {})
    if not isinstance(t, dict):
        raise ConfigError(path, name, "must be a table")
    return t


def _no_unknown(raw: dict[str, Any], known: set[str], path: Path, where: str) -> None:
    for k in raw:
        if k not in known:
            hint = ", ".join(sorted(known))
            raise ConfigError(path, where + k, f"unknown setting (known here: {hint})")


def _lookup(key: str, settings: tuple[Setting, ...]) -> Setting:
    for st in settings:
        if st.key == key:
            return st
    raise KeyError(key)


def _get(
    raw: dict[str, Any],
    key: str,
    path: Path,
    where: str,
    settings: tuple[Setting, ...] = SETTINGS,
) -> Any:
    st = _lookup(key if settings is not SETTINGS else where + key, settings)
    if key not in raw:
        default = st.default
        return list(default) if isinstance(default, list) else default
    value = raw[key]
    if isinstance(value, bool) or not isinstance(value, st.type):
        want = st.type.__name__ if isinstance(st.type, type) else "number"
        raise ConfigError(path, where + key, f"must be a {want}, not {type(value).__name__}")
    return value


def _required(raw: dict[str, Any], key: str, typ: type, path: Path, where: str) -> Any:
    if key not in raw:
        raise ConfigError(path, where + key, "missing (required)")
    value = raw[key]
    if not isinstance(value, typ) or (isinstance(value, str) and not value.strip()):
        raise ConfigError(path, where + key, f"must be a non-empty {typ.__name__}")
    return value
