#!/usr/bin/env python3
"""Write the bundled ANL and NLRK sample collections from the tables in scripts/samples_data/.

    python scripts/make_samples.py              # rewrites config/samples/{anl,nlrk}/ and
                                                # config/samples/shared_works.tsv
    python scripts/make_samples.py --out DIR    # the same under DIR

Deterministic: the same tables always give the same bytes (tests/test_samples.py checks it).
config/samples/README.md explains what the collections hold and what is real or composed.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from samplegen.collection import build, write
from samplegen.tables import TableError

ROOT = Path(__file__).resolve().parent.parent
TABLES = ROOT / "scripts" / "samples_data"


def main(argv: list[str] | None = None) -> int:
    """Build and write the collections; print a one-line summary per library."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "config" / "samples")
    parser.add_argument("--tables", type=Path, default=TABLES)
    args = parser.parse_args(argv)
    try:
        samples = build(args.tables)
        write(samples, args.tables, args.out)
    except TableError as exc:
        print(f"make_samples: {exc}", file=sys.stderr)
        return 1
    for lib, items in samples.items.items():
        deleted = sum(item.deleted for item in items)
        print(f"{lib}: {len(items)} records ({deleted} deleted) -> {args.out / lib}")
    counts = Counter(pair[2] for pair in samples.pairs)
    print("pairs: " + ", ".join(f"{rel} {n}" for rel, n in sorted(counts.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
