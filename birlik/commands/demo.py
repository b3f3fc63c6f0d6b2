"""`birlik demo`: the whole catalogue on one machine, from the bundled sample collections.

Two OAI-PMH providers of our own (threads on 127.0.0.1, free ports) serve
``config/samples/anl`` and ``config/samples/nlrk``; Birlik harvests both with the settings
of ``config/demo.toml`` (URLs replaced by the providers'), normalises, deduplicates and
indexes them into the embedded SQLite backend, and serves the UI with waitress. Ctrl-C
stops everything it started. A second run with the same data directory harvests only
what changed since the first.
"""

from __future__ import annotations

import argparse
import logging
import sys
from contextlib import ExitStack
from dataclasses import replace
from pathlib import Path

from harvester.config import Config, Librarian, load_config
from harvester.errors import ConfigError
from harvester.store import StateDB

log = logging.getLogger("birlik.demo")

ROOT = Path(__file__).resolve().parents[2]
DEMO_CONFIG = ROOT / "config" / "demo.toml"
SAMPLES = ROOT / "config" / "samples"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from birlik.commands.serve import port_number

    parser.add_argument(
        "--port",
        type=port_number,
        default=None,
        help="port of the UI, 0 for any free one (default 5000)",
    )
    parser.add_argument(
        "--data-dir", metavar="DIR", help="where to keep the demo's data (default: the config's)"
    )


def demo_config(args: argparse.Namespace) -> Config:
    """``config/demo.toml`` (or ``--config``) with ``--data-dir`` applied."""
    config = load_config(args.config or DEMO_CONFIG)
    if args.data_dir:
        config = replace(config, data_dir=Path(args.data_dir).resolve())
    return config


def sample_directory(config: Config, key: str) -> Path:
    directory = SAMPLES / key
    if not (directory / "repository.toml").is_file():
        raise ConfigError(
            config.path, "sources", f"no sample collection for source {key!r} in {directory}"
        )
    return directory


def run(args: argparse.Namespace) -> int:
    from harvester.provider import Collection, make_app, serve

    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    config = demo_config(args)
    port = config.ui.port if args.port is None else args.port
    with ExitStack() as stack:
        try:
            urls: dict[str, str] = {}
            for source in config.sources:
                db_path = config.data_dir / "providers" / f"{source.key}.sqlite3"
                db_path.parent.mkdir(parents=True, exist_ok=True)
                collection = Collection.from_directory(
                    sample_directory(config, source.key), db_path
                )
                stack.callback(collection.close)
                server = serve(make_app(collection))
                stack.callback(server.shutdown)
                urls[source.key] = server.url
                log.info("provider for %s at %s", source.key, server.url)
            config = replace(
                config, sources=tuple(replace(s, url=urls[s.key]) for s in config.sources)
            )
            load(config)
            config = with_demo_librarian(config)
            serve_ui(config, port, stack)
        except KeyboardInterrupt:
            print("Birlik demo: stopped", file=sys.stderr)
        except OSError as e:
            print(
                f"birlik demo: cannot listen on 127.0.0.1:{port}: {e} (try --port)", file=sys.stderr
            )
            return 1
    return 0


def with_demo_librarian(config: Config) -> Config:
    """The config with a librarian ``demo`` whose password is new on every run (printed),
    unless the config names librarians of its own."""
    if config.librarians:
        return config
    import secrets

    from werkzeug.security import generate_password_hash

    password = secrets.token_urlsafe(9)
    print(
        f"Birlik demo: librarian area at /librarian/ — log in as “demo”, password {password}"
        " (valid for this run)",
        flush=True,
    )
    return replace(config, librarians=(Librarian("demo", generate_password_hash(password)),))


def load(config: Config) -> None:
    """Harvest every source, then normalise and index what changed."""
    from harvester.harvest import harvest_sources

    with StateDB(config.state_db) as db:
        for key, summary in harvest_sources(config, db).items():
            if summary.status != "ok":
                log.warning("harvest of %s: %s %s", key, summary.status, summary.error or "")
        index(config, db)


def index(config: Config, db: StateDB) -> None:
    """Normalise, deduplicate and index what changed (the pipeline of ``birlik index``)."""
    from indexer.pipeline import run_index

    print(run_index(config, db).line(), file=sys.stderr)


def serve_ui(config: Config, port: int, stack: ExitStack) -> None:
    from birlik.commands.serve import serve_app
    from indexer.backends import get_backend
    from search_ui import create_app

    backend = get_backend(config)
    stack.callback(backend.close)
    app = create_app(config, backend=backend)
    serve_app(app, "127.0.0.1", port, label="Birlik demo")
