"""`birlik harvest [SOURCE ...] [--full] [--from DATE] [--until DATE]`.

Harvests the named sources (default: every configured one) concurrently into the raw
store. Exit 0 when all succeeded, 1 when any failed, 2 for an unknown source or bad config.
"""

from __future__ import annotations

import argparse
import logging
import sys

from harvester.config import load_config
from harvester.harvest import harvest_sources
from harvester.store import StateDB
from harvester.windows import user_date


def _date(text: str) -> str:
    try:
        return user_date(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "sources", nargs="*", metavar="SOURCE", help="source keys to harvest (default: all)"
    )
    parser.add_argument(
        "--full", action="store_true", help="ignore the watermark and harvest everything again"
    )
    parser.add_argument(
        "--from",
        dest="from_",
        type=_date,
        metavar="DATE",
        help="harvest records changed since DATE (YYYY-MM-DD[Thh:mm:ssZ])",
    )
    parser.add_argument(
        "--until", type=_date, metavar="DATE", help="harvest records changed up to DATE"
    )


def setup_logging(level: str) -> None:
    """Human-readable logs on stderr unless someone configured logging already."""
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(
            level=level, stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
        )


def run(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    setup_logging(config.logging.level)
    keys = args.sources or None
    if keys:
        for key in keys:
            config.source(key)  # unknown key: ConfigError, exit 2
    with StateDB(config.state_db) as db:
        results = harvest_sources(
            config, db, keys, full=args.full, from_=args.from_, until=args.until
        )
    for s in results.values():
        line = (
            f"{s.source}: {s.status}, {s.new} new, {s.updated} updated, {s.deleted} deleted,"
            f" {s.unchanged} unchanged in {s.seconds:.1f} s ({s.rate:.0f} records/s)"
        )
        print(line + (f"\n  {s.error}" if s.error else ""))
    if any(s.status in ("failed", "skipped") for s in results.values()):
        return 1
    if any(s.status == "interrupted" for s in results.values()):
        return 130
    return 0
