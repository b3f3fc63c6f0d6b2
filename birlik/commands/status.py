"""`birlik status [--json]`: per source, records held, deletions and the last run."""

from __future__ import annotations

import argparse
import json
import sqlite3
from datetime import UTC, datetime
from typing import Any

from harvester.config import Config, load_config
from harvester.store import StateDB
from indexer.state import quarantine_counts, quarantined, record_counts


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument(
        "--quarantine",
        type=int,
        default=20,
        metavar="N",
        help="list at most N quarantined records per source (default 20)",
    )


def _time(t: float | None) -> str | None:
    return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if t else None


def _run(row: sqlite3.Row | None) -> dict[str, Any] | None:
    if row is None:
        return None
    return {
        "started": _time(row["started"]),
        "ended": _time(row["ended"]),
        "status": row["status"],
        "new": row["new"],
        "updated": row["updated"],
        "deleted": row["deleted"],
        "unchanged": row["unchanged"],
        "quarantined": row["quarantined"],
        "requests": row["requests"],
        "error": row["error"],
    }


def _quarantine(db: StateDB, key: str, limit: int) -> list[dict[str, Any]]:
    return [
        {
            "identifier": q.identifier,
            "prefix": q.prefix,
            "step": q.step,
            "reason": q.reason,
            "at": _time(q.at),
        }
        for q in quarantined(db, source=key, limit=limit)
    ]


def collect(config: Config, db: StateDB, quarantine_limit: int = 20) -> list[dict[str, Any]]:
    """One entry per configured source, then any source only the store still knows."""
    keys = [s.key for s in config.sources]
    normalised = record_counts(db)
    held_back = quarantine_counts(db)
    stored = [r[0] for r in db.conn.execute("SELECT DISTINCT source FROM runs ORDER BY source")]
    out = []
    for key in keys + [k for k in stored if k not in keys]:
        held, deletions = db.counts(key)
        name = config.source(key).display_name("en") if key in keys else key
        out.append(
            {
                "source": key,
                "name": name,
                "configured": key in keys,
                "records": held,
                "deletions": deletions,
                "last_run": _run(db.last_run(key)),
                "normalised": normalised.get(key, 0),
                "quarantined": held_back.get(key, 0),
                "quarantine": _quarantine(db, key, quarantine_limit),
            }
        )
    return out


def run(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    with StateDB(config.state_db) as db:
        sources = collect(config, db, max(args.quarantine, 0))
    if args.json:
        print(json.dumps({"sources": sources}, ensure_ascii=False, indent=2))
        return 0
    for s in sources:
        print(f"{s['source']} ({s['name']}): {s['records']} records, {s['deletions']} deletions")
        r = s["last_run"]
        if r is None:
            print("  never harvested")
            continue
        print(
            f"  last run {r['started']} {r['status']}: {r['new']} new, {r['updated']} updated,"
            f" {r['deleted']} deleted, {r['unchanged']} unchanged"
        )
        if r["error"]:
            print(f"  error: {r['error']}")
        print(f"  normalised {s['normalised']}, quarantined {s['quarantined']}")
        for q in s["quarantine"]:
            print(f"    {q['identifier']} ({q['prefix']}): step {q['step']}: {q['reason']}")
        if s["quarantined"] > len(s["quarantine"]):
            print(f"    … {s['quarantined'] - len(s['quarantine'])} more (--quarantine N)")
    return 0
