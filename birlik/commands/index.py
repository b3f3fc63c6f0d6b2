"""`birlik index [--rebuild]`: normalise what changed, deduplicate, write the search index.

Without ``--rebuild`` only what changed in the raw store since the last run is done
(deletions included); with it every raw record is normalised again, every cluster is
recomputed (librarians' decisions kept) and the index is swapped in atomically. Neither
touches the network. Quarantined records are counted here and listed by ``birlik status``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from birlik.commands.harvest import setup_logging
from harvester.config import load_config
from harvester.store import StateDB


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--rebuild",
        action="store_true",
        help="re-normalise everything from the raw store and rebuild the index",
    )


@contextmanager
def progress_bar(enabled: bool) -> Iterator[Callable[[int], None] | None]:
    """A rich progress line of records normalised, on a terminal only."""
    if not enabled:
        yield None
        return
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(
        SpinnerColumn(),
        TextColumn("normalising: {task.completed} records"),
        TimeElapsedColumn(),
        transient=True,
    ) as bar:
        task = bar.add_task("normalise", total=None)
        yield lambda done: bar.update(task, completed=done)


def run(args: argparse.Namespace) -> int:
    from indexer.pipeline import run_index

    config = load_config(args.config)
    setup_logging(config.logging.level)
    with StateDB(config.state_db) as db, progress_bar(sys.stderr.isatty()) as progress:
        summary = run_index(config, db, rebuild=args.rebuild, progress=progress)
    print(summary.line())
    if summary.normalise.quarantined:
        print(f"  {summary.normalise.quarantined} records quarantined: `birlik status` lists them")
    return 0
