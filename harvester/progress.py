"""Harvest progress: a rich progress bar per source on a terminal, nothing otherwise.

Logs stay quiet while a harvest runs (one summary line per run, written by
``harvester.harvest``); the bar is only for a person watching a terminal.
"""

from __future__ import annotations

import sys
import threading
from typing import Protocol

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)


class ProgressSink(Protocol):
    def start(self, source: str) -> None: ...

    def update(self, source: str, done: int, total: int | None, rate: float) -> None: ...

    def finish(self, source: str, status: str) -> None: ...


class NoProgress:
    """Progress that shows nothing (not a terminal, or turned off)."""

    def start(self, source: str) -> None:
        pass

    def update(self, source: str, done: int, total: int | None, rate: float) -> None:
        pass

    def finish(self, source: str, status: str) -> None:
        pass

    def close(self) -> None:
        pass


class BarProgress:
    """One rich bar per source: records, rate, and the list size when the provider gives it."""

    def __init__(self, console: Console | None = None) -> None:
        self._progress = Progress(
            TextColumn("[bold]{task.fields[source]}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]:>8.0f} rec/s"),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            TextColumn("{task.fields[status]}"),
            console=console or Console(stderr=True),
            transient=False,
        )
        self._tasks: dict[str, TaskID] = {}
        self._lock = threading.Lock()
        self._progress.start()

    def start(self, source: str) -> None:
        with self._lock:
            self._tasks[source] = self._progress.add_task(
                source, total=None, source=source, rate=0.0, status=""
            )

    def update(self, source: str, done: int, total: int | None, rate: float) -> None:
        task = self._tasks.get(source)
        if task is not None:
            self._progress.update(task, completed=done, total=total, rate=rate)

    def finish(self, source: str, status: str) -> None:
        task = self._tasks.get(source)
        if task is not None:
            self._progress.update(task, status=status)

    def close(self) -> None:
        self._progress.stop()


def make_progress(enabled: bool | None) -> BarProgress | NoProgress:
    """A bar when ``enabled`` (None = only if stderr is a terminal)."""
    if enabled is None:
        enabled = sys.stderr.isatty()
    return BarProgress() if enabled else NoProgress()
