"""``python -m harvester.provider DIR [--port N] [--page-size N]``: serve a collection.

Prints the base URL on the first line of stdout, then serves until killed (SIGINT/SIGTERM).
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path

from harvester.errors import BirlikError
from harvester.provider import Collection, make_app, serve


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m harvester.provider", description=__doc__)
    parser.add_argument("directory", type=Path, help="collection directory")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 = any free port")
    parser.add_argument("--page-size", type=_positive, default=100)
    parser.add_argument("--token-ttl", type=float, default=3600.0, help="seconds")
    parser.add_argument("--db", type=Path, help="keep the SQLite file here (reused if current)")
    args = parser.parse_args(argv)
    try:
        collection = Collection.from_directory(args.directory, db_path=args.db)
    except BirlikError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    app = make_app(collection, page_size=args.page_size, token_ttl=args.token_ttl)
    with collection, serve(app, host=args.host, port=args.port) as server:
        print(server.url, flush=True)
        stop.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
