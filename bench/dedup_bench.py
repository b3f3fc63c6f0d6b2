"""Deduplication at scale: cluster N generated records with planted duplicates.

    python bench/dedup_bench.py [--records 1000000] [--seed 1] [--dup-share 0.1] [--normalise]

Generates N records in all, half ANL and half NLRK, with ``bench/generate.py``'s works and
cataloguing (same seed, same records): a share ``--dup-share`` of the works is planted in both
sources, catalogued differently (script, ISBN hyphens, punctuation, missing fields); their
identifier pairs are the ground truth (the rows ``generate.py`` writes to duplicates.tsv).

By default the ``Record`` of each generated item is built directly from the generator's
catalogue entry (the fields the MARCXML would carry), not by normalising its MARCXML: the
normaliser's own speed is ``bench/normalise_bench.py``'s subject, and at 1M records it would
take far longer than the clustering measured here. ``--normalise`` renders each item's MARCXML
and runs ``indexer.normalise`` on it instead (slow; use a smaller N), which checks that the
shortcut measures the same thing.

Then, in the same run and over the same features:

* **ours** — ``indexer.dedup.blocking.cluster_all`` (blocking, scoring, union-find, stable ids);
* **baseline** — records grouped by an exact shared ISBN (union-find), nothing else.

Prints each one's time, the peak RSS of the process (``getrusage``; it includes the features of
all N records), precision/recall/F1 against the planted truth (a pair of records in one cluster
is a merge; merges inside one source count as false merges too) and the ratio of our time to the
baseline's. Targets (issue 6): <= 60 s and <= 2 GB at 1M records.
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import time
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.generate import MIX, SOURCES, Options, identifier, items  # noqa: E402
from bench.generate_words import LANGS  # noqa: E402
from bench.generate_works import catalogue, is_duplicate, make_work, share, shared_work  # noqa: E402
from harvester.store import RawRecord  # noqa: E402
from indexer.dedup.blocking import cluster_all  # noqa: E402
from indexer.dedup.evaluate import Quality  # noqa: E402
from indexer.dedup.features import Features, features  # noqa: E402
from indexer.normalise import normalise  # noqa: E402
from indexer.record import Link, Name, Record  # noqa: E402

EPOCH_START, EPOCH_SPAN = 1420070400, 11 * 365 * 86400  # as bench/generate.py


def direct_records(source: str, opts: Options) -> Iterator[Record]:
    """The live records of ``source`` as ``bench/generate.py`` writes them, built directly.

    Draws from the generator's random streams in the very order ``generate.items`` does, so
    record ``n`` is the same work catalogued the same way as in the generated MARCXML.
    """
    stream = random.Random(f"{opts.seed}:{source}")
    for n in range(1, opts.records + 1):
        stamp = time.strftime(
            "%Y-%m-%dT%H:%M:%SZ", time.gmtime(EPOCH_START + stream.randrange(EPOCH_SPAN))
        )
        dup = is_duplicate(opts.seed, n, opts.dup_share)
        if not dup and share(opts.seed, n, f"del:{source}") < opts.deleted_share:
            continue
        if dup:
            work, rng = shared_work(opts.seed, n), random.Random(f"{opts.seed}:{source}:{n}")
        else:
            work = make_work(stream, stream.choices(LANGS, MIX[source])[0])
            rng = stream
        c = catalogue(rng, work, source)
        link = rng.random() < opts.link_share
        ident = identifier(source, n)
        yield Record(
            id=f"{source}:{ident}",
            source=source,
            oai_id=ident,
            datestamp=stamp,
            format="marc21",
            title=c["title"],
            subtitle=c["subtitle"],
            responsibility=c["display"],
            authors=(Name(c["author"], role="author"),),
            subjects=(work.subject,),
            languages=(work.lang,),
            year=work.year,
            place=c["place"],
            publisher=c["publisher"],
            extent=f"{work.pages} p.",
            isbns=(c["isbn"].replace("-", ""),) if c["isbn"] else (),
            type="book",
            links=(Link(f"https://example.org/{n}"),) if link else (),
            alt_titles=(c["vernacular"],) if c["vernacular"] else (),
        )


def normalised_records(source: str, opts: Options) -> Iterator[Record]:
    """The live records of ``source``: generated MARCXML run through ``indexer.normalise``."""
    for _, item in items(source, opts):
        if 'deleted="true"' in item:
            continue
        ident = item.split('identifier="', 1)[1].split('"', 1)[0]
        stamp = item.split('datestamp="', 1)[1].split('"', 1)[0]
        xml = item.split('<metadata prefix="marc21">', 1)[1].rsplit("</metadata>", 1)[0]
        yield normalise(RawRecord(source, ident, "marc21", stamp, xml=xml), detect_language=False)


def planted(opts: Options) -> set[tuple[str, str]]:
    """The true duplicate pairs (ANL id, NLRK id): every work planted in both sources."""
    return {
        (f"anl:{identifier('anl', n)}", f"nlrk:{identifier('nlrk', n)}")
        for n in range(1, opts.records + 1)
        if is_duplicate(opts.seed, n, opts.dup_share)
    }


def isbn_baseline(feats: list[Features]) -> list[list[str]]:
    """Records grouped by an exact shared ISBN: plain union-find over list positions."""
    parent = list(range(len(feats)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    first: dict[str, int] = {}
    for n, f in enumerate(feats):
        for i in f.isbns:
            m = first.setdefault(i, n)
            if m != n:
                parent[find(n)] = find(m)
    groups: dict[int, list[str]] = defaultdict(list)
    for n, f in enumerate(feats):
        groups[find(n)].append(f.id)
    return list(groups.values())


def quality(clusters: list[list[str]], truth: set[tuple[str, str]]) -> tuple[Quality, int]:
    """Pairwise quality against the planted pairs; also the merges within one source."""
    tp = fp = within = 0
    for members in clusters:
        if len(members) < 2:
            continue
        by_source: dict[str, list[str]] = defaultdict(list)
        for m in members:
            by_source[m.split(":", 1)[0]].append(m)
        for a in by_source["anl"]:
            for b in by_source["nlrk"]:
                if (a, b) in truth:
                    tp += 1
                else:
                    fp += 1
        within += sum(len(v) * (len(v) - 1) // 2 for v in by_source.values())
    return Quality(tp, fp + within, len(truth) - tp, 0), within


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=1_000_000, help="records in all")
    parser.add_argument("--seed", type=int, default=1, help="same seed, same records")
    parser.add_argument("--dup-share", type=float, default=0.1, help="works in both sources")
    parser.add_argument(
        "--normalise", action="store_true", help="normalise generated MARCXML (slow)"
    )
    args = parser.parse_args(argv)
    if args.records < 2 or not 0 <= args.dup_share <= 1:
        parser.error("--records must be at least 2 and --dup-share between 0 and 1")
    opts = Options(args.records // 2, seed=args.seed, dup_share=args.dup_share)
    read = normalised_records if args.normalise else direct_records

    start = time.perf_counter()
    feats = [features(r) for s in SOURCES for r in read(s, opts)]
    truth = planted(opts)
    made = time.perf_counter() - start
    how = "normalised from MARCXML" if args.normalise else "built directly"
    print(
        f"records: {len(feats):,} live ({opts.records:,} per source, records {how}), "
        f"{len(truth):,} planted duplicate pairs; features in {made:.1f} s, "
        f"peak RSS so far {peak_rss_mib():,.0f} MiB"
    )

    start, cpu = time.perf_counter(), time.process_time()
    groups = isbn_baseline(feats)
    base_secs, base_cpu = time.perf_counter() - start, time.process_time() - cpu
    base_q, base_within = quality(groups, truth)

    start, cpu = time.perf_counter(), time.process_time()
    clusters, matches = cluster_all(feats)
    secs, secs_cpu = time.perf_counter() - start, time.process_time() - cpu
    q, within = quality(list(clusters.values()), truth)
    rss = peak_rss_mib()

    for name, s, c, qq, w, extra in (
        ("baseline (exact ISBN)", base_secs, base_cpu, base_q, base_within, ""),
        ("ours (cluster_all)", secs, secs_cpu, q, within, f", {len(matches):,} pairs kept"),
    ):
        print(
            f"{name:<22} {s:6.1f} s ({c:5.1f} s CPU)  P {qq.precision:.3f}  R {qq.recall:.3f}"
            f"  F1 {qq.f1:.3f}"
            f"  (tp {qq.tp:,} fp {qq.fp:,} of which within one source {w:,}, fn {qq.fn:,}{extra})"
        )
    ratio = secs / base_secs if base_secs else float("inf")
    ratio_cpu = secs_cpu / base_cpu if base_cpu else float("inf")
    print(
        f"clustering {secs:.1f} s wall, {secs_cpu:.1f} s CPU ({ratio:.1f}x the ISBN baseline's "
        f"wall time, {ratio_cpu:.1f}x its CPU time), peak RSS {rss:,.0f} MiB; "
        f"targets <= 60 s, <= 2048 MiB: "
        f"{'ok' if secs <= 60 and rss <= 2048 else 'NOT MET'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
