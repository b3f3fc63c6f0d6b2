"""Opening the state database: WAL mode, busy timeouts, and the first opener's race.

Every part that opens the state database (the harvester, the indexer's stages, the UI)
goes through ``connect`` so readers and one writer coexist.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from harvester.errors import StoreError


def connect(path: Path | str, *, readonly: bool = False) -> sqlite3.Connection:
    """A connection in WAL mode with a busy timeout (so readers and one writer coexist)."""
    p = Path(path)
    try:
        if readonly:
            conn = sqlite3.connect(
                f"file:{p}?mode=ro", uri=True, timeout=30, check_same_thread=False
            )
        else:
            p.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(p, timeout=30, check_same_thread=False)
        conn.execute("PRAGMA busy_timeout = 30000")
        if not readonly:
            _wal(conn)
            conn.execute("PRAGMA synchronous = NORMAL")
    except sqlite3.Error as e:
        raise StoreError(f"cannot open state database {p}: {e}") from e
    conn.row_factory = sqlite3.Row
    return conn


def _wal(conn: sqlite3.Connection, attempts: int = 100) -> None:
    """Put the database in WAL mode (persistent: done once per file). Two processes
    creating the file at once may see "database is locked" at once, without the busy
    timeout's wait: try again shortly."""
    for attempt in range(attempts):
        try:
            if conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as e:
            if "locked" not in str(e) or attempt == attempts - 1:
                raise
            time.sleep(0.05)
