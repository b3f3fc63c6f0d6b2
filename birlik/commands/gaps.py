"""`birlik gaps --have A --lack B`: works library A holds and library B lacks (agreement 2.2).

Computed on duplicate clusters, so a work B holds in another script still counts as held.
CSV (default) opens cleanly in a spreadsheet: UTF-8 with BOM, one row per work. MARCXML
carries the holder's full records. Writes to standard output unless ``--output FILE``.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from harvester.config import load_config
from harvester.errors import BirlikError
from harvester.sqlite import connect
from indexer.gaps import GapFilter, gap_clusters, gap_rows, write_csv, write_marcxml


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--have", required=True, metavar="SOURCE", help="the library holding")
    parser.add_argument("--lack", required=True, metavar="SOURCE", help="the library lacking")
    parser.add_argument("--format", choices=("csv", "marcxml"), default="csv")
    parser.add_argument("--language", default="", help="ISO 639-2/B code, e.g. kaz, aze, rus")
    parser.add_argument("--type", default="", help="record type, e.g. book, serial")
    parser.add_argument("--year-from", type=int, metavar="YEAR")
    parser.add_argument("--year-to", type=int, metavar="YEAR")
    parser.add_argument("--subject", default="", help="words a subject heading contains")
    parser.add_argument("--output", "-o", metavar="FILE", help="write here instead of stdout")


def run(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    config.source(args.have)  # ConfigError (exit 2) naming the configured sources
    config.source(args.lack)
    if args.have == args.lack:
        raise BirlikError("--have and --lack name the same library")
    if not config.state_db.exists():
        raise BirlikError(
            f"no state database at {config.state_db}: run `birlik harvest` and `birlik index`"
        )
    flt = GapFilter(
        language=args.language.strip().lower(),
        type=args.type.strip(),
        year_from=args.year_from,
        year_to=args.year_to,
        subject=args.subject.strip(),
    )
    conn = connect(config.state_db, readonly=True)
    try:
        if not conn.execute("SELECT 1 FROM sqlite_master WHERE name='clusters'").fetchone():
            raise BirlikError("the catalogue has not been indexed yet: run `birlik index`")
        rows = gap_rows(gap_clusters(conn, args.have, args.lack), args.have, args.lack, flt)
        write = write_csv if args.format == "csv" else write_marcxml
        if args.output:
            n = _to_file(Path(args.output), lambda f: write(rows, f))
        else:
            sys.stdout.reconfigure(encoding="utf-8", newline="")  # type: ignore[union-attr]
            n = write(rows, sys.stdout)
            sys.stdout.flush()
    finally:
        conn.close()
    print(f"birlik: {n} works held by {args.have} are missing from {args.lack}", file=sys.stderr)
    return 0


def _to_file(path: Path, fill: Callable[[TextIO], int]) -> int:
    """Write through a temporary file beside ``path``: a failure leaves no half list."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            n = int(fill(f))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return n
