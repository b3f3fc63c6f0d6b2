"""Deduplication quality: precision, recall and F1 of the matching rules on labelled pairs.

    python bench/dedup_eval.py [--samples config/samples] [--cases FILE] [--wrong]

Measures, on the same rules the indexer runs (``indexer.dedup``):

* **samples, pairs** — every labelled row of ``config/samples/shared_works.tsv`` (126 true
  duplicates and the hard negatives: translations, other editions, other volumes, generic
  titles), both records normalised from the sample MARCXML with ``indexer.normalise`` and
  scored with ``score_pair``; once more with NLRK's ``oai_dc`` instead of its MARC;
* **hard cases** — the hand-written pairs of ``tests/fixtures/dedup/hard_cases.tsv``;
* **overall** — the pooled counts of the labelled pairs above (the pair sets);
* **samples, clusters** — ``cluster_all`` over every live sample record (blocking included),
  every ANL–NLRK pair sharing a cluster counted against the complete ``same`` list, so a
  blocking miss or a chained false merge shows here and not in the pair figures.

Targets (issue 6): precision >= 0.98, recall >= 0.95. ``--wrong`` lists each error with the
reasons the rules gave. Not a timed test; ``tests/test_dedup_eval.py`` asserts the targets.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from indexer.dedup.blocking import cluster_all  # noqa: E402
from indexer.dedup.evaluate import (  # noqa: E402
    Case,
    Quality,
    cases_from,
    combined,
    load_cases,
    load_samples,
    measure,
    pair_quality,
    sample_truth,
)
from indexer.dedup.features import features  # noqa: E402

PRECISION, RECALL = 0.98, 0.95


def line(name: str, q: Quality) -> str:
    ok = "ok" if q.precision >= PRECISION and q.recall >= RECALL else "BELOW TARGET"
    return (
        f"{name:<28} P {q.precision:.3f}  R {q.recall:.3f}  F1 {q.f1:.3f}"
        f"   (tp {q.tp} fp {q.fp} fn {q.fn} tn {q.tn})  {ok}"
    )


def show_wrong(wrong: list[tuple[Case, tuple[str, ...]]]) -> None:
    for case, reasons in wrong:
        kind = "missed" if case.same else "false merge"
        print(f"    {kind}: [{case.category}] {case.name}: {case.a.title!r} / {case.b.title!r}")
        print(f"        {'; '.join(reasons)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--samples", type=Path, default=ROOT / "config" / "samples")
    parser.add_argument(
        "--cases", type=Path, default=ROOT / "tests" / "fixtures" / "dedup" / "hard_cases.tsv"
    )
    parser.add_argument("--wrong", action="store_true", help="list every error with its reasons")
    args = parser.parse_args(argv)

    start = time.perf_counter()
    marc = load_samples(args.samples)
    dc = load_samples(args.samples, prefix="oai_dc")  # ANL has no oai_dc: its MARC is read
    truth_file = args.samples / "shared_works.tsv"
    results = {
        "samples, pairs (MARC)": measure(cases_from(truth_file, marc)),
        "samples, pairs (NLRK oai_dc)": measure(cases_from(truth_file, dc)),
        "hard cases": measure(load_cases(args.cases)),
    }
    for name, (q, wrong) in results.items():
        print(line(name, q))
        if args.wrong:
            show_wrong(wrong)
    overall = combined(*(results[k][0] for k in ("samples, pairs (MARC)", "hard cases")))
    print(line("overall (MARC + hard cases)", overall))

    truth = sample_truth(args.samples)
    for name, recs in (("samples, clusters (MARC)", marc), ("samples, clusters (oai_dc)", dc)):
        clusters, _ = cluster_all([features(r) for r in recs.values()])
        q = pair_quality(clusters.values(), truth, cross=("anl", "nlrk"))
        print(line(name, q) + f"  [{len(recs)} records, {len(clusters)} clusters]")
    print(f"targets: precision >= {PRECISION}, recall >= {RECALL}")
    print(f"({time.perf_counter() - start:.1f} s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
