"""One harvest per source at a time, across threads and processes (an OS file lock)."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def source_lock(state_db: Path, key: str) -> Iterator[str | None]:
    """Hold the lock of source ``key`` of this state database, across processes.

    Yields None when taken, or the pid of the process holding it. The lock is an OS file
    lock (``flock``): it goes with its process, however that process ends.
    """
    path = state_db.parent / "locks" / f"{key}.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a+", encoding="ascii") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            yield fh.read().strip() or "?"
            return
        fh.seek(0)
        fh.truncate()
        fh.write(str(os.getpid()))
        fh.flush()
        try:
            yield None
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
