"""Deterministic generator of large OAI-PMH collection directories for scale benchmarks.

    python bench/generate.py --records 100000 --out DIR [--source anl|nlrk|both]
                             [--seed 1] [--dup-share 0.1] [--deleted-share 0.01]
                             [--formats marc21,oai_dc]

Writes the agreed collection directory format (``repository.toml`` + ``records/*.xml``) of
realistic MARCXML (and optionally oai_dc): Kazakh, Azerbaijani, Russian and English titles
and names in Cyrillic and Latin composed from word lists, valid ISBN-13s, years,
publishers, 856 links on some records, some deletions. Record ``n`` is a planted duplicate
(the same work, catalogued differently: script, ISBN hyphens, punctuation, missing fields)
in both sources when ``dup_share`` selects ``n``, independent of the source, so ANL and NLRK
generated with the same seed and share hold the same works at the same ``n``; their
identifier pairs go to ``duplicates.tsv``. Output streams file by file (10 000 items each):
the same seed gives the same bytes, and memory stays flat at any size.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make ``bench`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.generate_words import LANGS
from bench.generate_works import (
    catalogue,
    is_duplicate,
    make_work,
    marcxml,
    oai_dc,
    share,
    shared_work,
)

SOURCES = {
    "anl": ("Azerbaijan National Library", "oai:anl.az:", "AZ-BaANL", "aze"),
    "nlrk": ("National Library of the Republic of Kazakhstan", "oai:nlrk.kz:", "KZ-AlNLRK", "kaz"),
}
# Language mix of each source's own (not shared) records: kaz, aze, rus, eng.
MIX = {"anl": (0.08, 0.55, 0.27, 0.10), "nlrk": (0.55, 0.05, 0.30, 0.10)}

PER_FILE = 10_000
EPOCH_START = 1420070400  # 2015-01-01
EPOCH_SPAN = 11 * 365 * 86400


@dataclass(frozen=True)
class Options:
    records: int
    seed: int = 1
    dup_share: float = 0.1
    deleted_share: float = 0.01
    link_share: float = 0.1
    formats: tuple[str, ...] = ("marc21",)
    per_file: int = PER_FILE


def identifier(source: str, n: int) -> str:
    """The OAI identifier of record ``n`` in ``source``."""
    return f"{SOURCES[source][1]}g{n:07d}"


def items(source: str, opts: Options) -> Iterator[tuple[int, str]]:
    """``(n, <item> XML)`` for records 1..N of ``source``, in order."""
    _, _, org, _ = SOURCES[source]
    stream = random.Random(f"{opts.seed}:{source}")
    langs, weights = LANGS, MIX[source]
    for n in range(1, opts.records + 1):
        ident = identifier(source, n)
        stamp = time.strftime(
            "%Y-%m-%dT%H:%M:%SZ", time.gmtime(EPOCH_START + stream.randrange(EPOCH_SPAN))
        )
        dup = is_duplicate(opts.seed, n, opts.dup_share)
        if not dup and share(opts.seed, n, f"del:{source}") < opts.deleted_share:
            yield n, f'<item identifier="{ident}" datestamp="{stamp}" deleted="true"/>\n'
            continue
        if dup:
            work = shared_work(opts.seed, n)
            rng = random.Random(f"{opts.seed}:{source}:{n}")
        else:
            work = make_work(stream, stream.choices(langs, weights)[0])
            rng = stream
        c = catalogue(rng, work, source)
        link = ""
        if rng.random() < opts.link_share:
            link = (
                f"https://elib.anl.az/record/{n}"
                if source == "anl"
                else f"https://kazneb.kz/bookView/view?brId={n}"
            )
        md = []
        if "marc21" in opts.formats:
            xml = marcxml(ident, f"{n:09d}", org, work, c, stamp, link)
            md.append(f'<metadata prefix="marc21">{xml}</metadata>')
        if "oai_dc" in opts.formats:
            md.append(f'<metadata prefix="oai_dc">{oai_dc(work, c, link)}</metadata>')
        yield (
            n,
            (
                f'<item identifier="{ident}" datestamp="{stamp}" sets="books lang:{work.lang}">'
                f"{''.join(md)}</item>\n"
            ),
        )


def repository_toml(source: str) -> str:
    """The ``repository.toml`` of a generated collection."""
    name, prefix, _, _ = SOURCES[source]
    lines = [
        f'repository_name = "{name} (generated)"',
        f'identifier_prefix = "{prefix}"',
        'granularity = "seconds"',
        'earliest_datestamp = "2015-01-01T00:00:00Z"',
        'deleted_record = "persistent"',
        'admin_email = "oai@example.org"',
        "",
        "[[sets]]",
        'spec = "books"',
        'name = "Books"',
        "",
        "[[sets]]",
        'spec = "lang"',
        'name = "Languages"',
    ]
    return "\n".join(lines) + "\n"


def write_collection(source: str, out: Path, opts: Options) -> int:
    """Write one source's collection directory; returns the number of items."""
    records = out / "records"
    records.mkdir(parents=True, exist_ok=True)
    for old in records.glob("part-*.xml"):
        old.unlink()
    (out / "repository.toml").write_text(repository_toml(source), encoding="utf-8")
    count = 0
    chunk: list[str] = []

    def flush() -> None:
        path = records / f"part-{(count - 1) // opts.per_file:05d}.xml"
        with path.open("w", encoding="utf-8", newline="\n") as f:
            f.write("<items>\n")
            f.write("".join(chunk))
            f.write("</items>\n")
        chunk.clear()

    for _, item in items(source, opts):
        chunk.append(item)
        count += 1
        if len(chunk) == opts.per_file:
            flush()
    if chunk:
        flush()
    return count


def write_duplicates(path: Path, opts: Options) -> int:
    """The ground truth: one line per planted duplicate, in the columns of the bundled
    samples' ``shared_works.tsv`` (anl_id, nlrk_id, relation, note)."""
    rows = 0
    with path.open("w", encoding="utf-8", newline="\n") as f:
        f.write("anl_id\tnlrk_id\trelation\tnote\n")
        for n in range(1, opts.records + 1):
            if is_duplicate(opts.seed, n, opts.dup_share):
                f.write(f"{identifier('anl', n)}\t{identifier('nlrk', n)}\tsame\twork {n}\n")
                rows += 1
    return rows


def generate(out: Path, source: str, opts: Options) -> dict[str, int]:
    """Generate ``source`` (``anl``, ``nlrk`` or ``both``) under ``out``; returns counts."""
    counts: dict[str, int] = {}
    if source == "both":
        for s in SOURCES:
            counts[s] = write_collection(s, out / s, opts)
    else:
        counts[source] = write_collection(source, out, opts)
    counts["duplicates"] = write_duplicates(out / "duplicates.tsv", opts)
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, required=True, help="records per source")
    parser.add_argument("--out", type=Path, required=True, help="output directory")
    parser.add_argument(
        "--source", choices=[*SOURCES, "both"], default="anl", help="both: OUT/anl and OUT/nlrk"
    )
    parser.add_argument("--seed", type=int, default=1, help="same seed, same bytes")
    parser.add_argument(
        "--dup-share", type=float, default=0.1, help="share of works held by both sources"
    )
    parser.add_argument("--deleted-share", type=float, default=0.01, help="deleted items")
    parser.add_argument("--link-share", type=float, default=0.1, help="records with an 856")
    parser.add_argument("--formats", default="marc21", help="comma-separated: marc21,oai_dc")
    args = parser.parse_args(argv)
    formats = tuple(f for f in args.formats.split(",") if f)
    problems = [f"unknown format {f!r}" for f in formats if f not in ("marc21", "oai_dc")]
    problems += [
        f"--{k} must be between 0 and 1"
        for k in ("dup-share", "deleted-share", "link-share")
        if not 0 <= getattr(args, k.replace("-", "_")) <= 1
    ]
    if args.records < 1:
        problems.append("--records must be at least 1")
    if problems or not formats:
        parser.error("; ".join(problems) or "--formats is empty")
    opts = Options(
        args.records, args.seed, args.dup_share, args.deleted_share, args.link_share, formats
    )
    start = time.perf_counter()
    counts = generate(args.out, args.source, opts)
    secs = time.perf_counter() - start
    total = sum(v for k, v in counts.items() if k != "duplicates")
    print(
        f"wrote {total} records ({', '.join(f'{k} {v}' for k, v in counts.items())}) "
        f"to {args.out} in {secs:.1f} s ({total / secs:,.0f} records/s)",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
