"""`birlik duplicates [--json]`: duplicate clusters with their members and match reasons.

One entry per cluster of more than one record, least certain first (as in the librarians'
review queue); members in preferred order; the automatic verdicts between members with
their reasons; the librarians' decisions on them (who, when, what).
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from typing import Any

from harvester.config import load_config
from harvester.errors import BirlikError
from harvester.sqlite import connect
from indexer.dedup.store import DedupStore
from indexer.state import get_record


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")


def _time(t: float) -> str:
    return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def collect(conn: Any) -> list[dict[str, Any]]:
    """Every multi-record cluster as plain data, least certain first."""
    store = DedupStore(conn)
    out = []
    for cid, members in store.multi_member_clusters():
        pairs = store.pairs_within(members)
        same = [p.score for p in pairs if p.same]
        entries = []
        for i, rid in enumerate(members):
            rec = get_record(conn, rid)
            entries.append(
                {
                    "id": rid,
                    "library": rec.source if rec else rid.split(":", 1)[0],
                    "title": rec.title if rec else "",
                    "authors": list(rec.author_names) if rec else [],
                    "year": rec.year if rec else None,
                    "preferred": i == 0,
                }
            )
        out.append(
            {
                "cluster_id": cid,
                "certainty": round(min(same), 3) if same else 1.0,
                "members": entries,
                "pairs": [
                    {
                        "a": p.a,
                        "b": p.b,
                        "verdict": p.verdict,
                        "score": round(p.score, 3),
                        "reasons": list(p.reasons),
                    }
                    for p in pairs
                ],
                "decisions": [
                    {
                        "kind": d.kind,
                        "action": d.action,
                        "a": d.a,
                        "b": d.b,
                        "who": d.who,
                        "at": _time(d.at),
                        "note": d.note,
                    }
                    for d in store.decisions(members)
                ],
            }
        )
    out.sort(key=lambda c: (c["certainty"], c["cluster_id"]))
    return out


def _text(clusters: list[dict[str, Any]]) -> None:
    for c in clusters:
        n = len(c["members"])
        print(f"cluster {c['cluster_id']} ({n} records, certainty {c['certainty']:.2f})")
        for m in c["members"]:
            mark = "*" if m["preferred"] else " "
            year = f" ({m['year']})" if m["year"] else ""
            print(f"  {mark} {m['id']}  {m['title']}{year}")
        for p in c["pairs"]:
            why = "; ".join(p["reasons"])
            print(f"    {p['a']} ~ {p['b']}: {p['verdict']} {p['score']:.2f}: {why}")
        for d in c["decisions"]:
            note = f" ({d['note']})" if d["note"] else ""
            print(f"    {d['action']} by {d['who']} at {d['at']}: {d['a']} {d['b']}{note}")
    print(f"{len(clusters)} clusters", file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    if not config.state_db.exists():
        raise BirlikError(
            f"no state database at {config.state_db}: run `birlik harvest` and `birlik index`"
        )
    conn = connect(config.state_db)
    try:
        if not conn.execute("SELECT 1 FROM sqlite_master WHERE name='records'").fetchone():
            raise BirlikError("the catalogue has not been indexed yet: run `birlik index`")
        clusters = collect(conn)
    finally:
        conn.close()
    if args.json:
        json.dump({"total": len(clusters), "clusters": clusters}, sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        _text(clusters)
    return 0
