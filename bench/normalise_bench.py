"""Normalise benchmark: our MARCXML → Record path against pymarc's MARCXML parser.

    python bench/normalise_bench.py [--records 100000] [--chunk 5000] [--seed 1]

Generates N realistic MARCXML records (``bench/generate.py``: Kazakh, Azerbaijani, Russian
and English records, 880 fields, ISBNs, links), and, chunk by chunk on the same records in
the same run, times

* ours: ``indexer.normalise.normalise(RawRecord)`` for each record — parsing *and* the
  whole mapping to a ``Record`` (scripts included), as ``birlik index`` does it; once
  without and once with the lingua language-detection step (which only runs for records
  without a language code);
* ours, reading only: ``read_one`` (MARCXML → ``MarcRecord``, no mapping), the like-for-like
  comparison with pymarc;
* pymarc: ``pymarc.parse_xml_to_array`` over the same records wrapped in a collection —
  parsing only, no mapping.

Prints records/s of each, in wall-clock and in CPU time of this process (the machine is
shared: under load CPU time is the steadier figure, and both sides of a ratio are timed
alike), the ratio (target: ours ≥ 3× pymarc) and the peak RSS. Single process on both
sides. Not a timed test; figures go to the notes.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import re
import resource
import sys
import time
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pymarc  # noqa: E402

from harvester.store import RawRecord, StoredRecord  # noqa: E402
from indexer.detect import detector  # noqa: E402
from indexer.normalise import normalise  # noqa: E402
from indexer.normalise.marcxml import read_one  # noqa: E402
from indexer.normalise_pool import NormalisePool, worker_count  # noqa: E402
from indexer.normalise_run import BATCH as POOL_BATCH  # noqa: E402

_MD = re.compile(r'<metadata prefix="marc21">(.*?)</metadata>', re.DOTALL)
COLLECTION = '<collection xmlns="http://www.loc.gov/MARC21/slim">{}</collection>'


def generated_records(n: int, seed: int) -> Iterator[tuple[str, str]]:
    """(identifier, MARCXML record) pairs, from bench/generate.py when it is there."""
    try:
        sys.path.insert(0, str(ROOT / "bench"))
        import generate
    except ImportError:
        yield from _inline_records(n, seed)
        return
    per_source = (n + 1) // 2
    opts = generate.Options(records=per_source, seed=seed, deleted_share=0.0)
    count = 0
    for source in ("anl", "nlrk"):
        for num, item in generate.items(source, opts):
            m = _MD.search(item)
            if m is None:
                continue
            yield generate.identifier(source, num), m.group(1)
            count += 1
            if count >= n:
                return


def _inline_records(n: int, seed: int) -> Iterator[tuple[str, str]]:
    """A small stand-in generator (used only when bench/generate.py is missing)."""
    rng = random.Random(seed)
    words = [
        "Абай",
        "жолы",
        "қазақ",
        "тарихы",
        "Azərbaycan",
        "ədəbiyyatı",
        "история",
        "литература",
        "history",
    ]
    for i in range(n):
        title = " ".join(rng.choices(words, k=4))
        yield (
            f"oai:bench:{i}",
            '<record xmlns="http://www.loc.gov/MARC21/slim">'
            "<leader>00000nam a2200000 i 4500</leader>"
            f'<controlfield tag="001">{i:09d}</controlfield>'
            '<controlfield tag="008">240101s2020    kz a          000 0 kaz d</controlfield>'
            '<datafield tag="100" ind1="1" ind2=" "><subfield code="a">Әуезов, М.</subfield>'
            "</datafield>"
            f'<datafield tag="245" ind1="1" ind2="0"><subfield code="a">{title} /</subfield>'
            '<subfield code="c">М. Әуезов.</subfield></datafield>'
            '<datafield tag="264" ind1=" " ind2="1"><subfield code="a">Алматы :</subfield>'
            '<subfield code="b">Жазушы,</subfield><subfield code="c">2020.</subfield>'
            "</datafield></record>",
        )


_F041 = re.compile(r'<datafield tag="041".*?</datafield>', re.DOTALL)
_F008 = re.compile(r'(<controlfield tag="008">.{35}).{3}')


def _without_language(xml: str) -> str:
    """The record with its language codes (008/35-37, 041) removed."""
    return _F008.sub(r"\1   ", _F041.sub("", xml))


def _chunks(it: Iterator[tuple[str, str]], size: int) -> Iterator[list[tuple[str, str]]]:
    chunk: list[tuple[str, str]] = []
    for pair in it:
        chunk.append(pair)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


class _Clock:
    """Wall-clock and CPU seconds of the timed sections, per name. The machine is shared,
    so CPU time (this process only) is printed beside wall time: under load it is the
    steadier of the two, and both sides of every ratio are measured the same way."""

    def __init__(self) -> None:
        self.wall: dict[str, float] = {}
        self.cpu: dict[str, float] = {}

    def time(self, name: str, fn: Callable[[], object]) -> object:
        w, c = time.perf_counter(), time.process_time()
        result = fn()
        self.wall[name] = self.wall.get(name, 0.0) + time.perf_counter() - w
        self.cpu[name] = self.cpu.get(name, 0.0) + time.process_time() - c
        return result


def _normalise_all(raws: list[RawRecord], detect_language: bool) -> None:
    for raw in raws:
        normalise(raw, detect_language=detect_language)


def _read_all(raws: list[RawRecord]) -> None:
    for raw in raws:
        read_one(raw.xml or "")


def _pool_all(pool: NormalisePool, raws: list[RawRecord]) -> None:
    batches = [raws[i : i + POOL_BATCH] for i in range(0, len(raws), POOL_BATCH)]
    stored = [[StoredRecord(0, r, 0.0, 0.0) for r in b] for b in batches]
    for _ in pool.map(stored):
        pass


def _pymarc_all(doc: bytes) -> list[pymarc.Record]:
    return pymarc.parse_xml_to_array(io.BytesIO(doc))


def run(n: int, chunk_size: int, seed: int, workers: int) -> dict[str, dict[str, float]]:
    """records/s of each side (``wall`` and ``cpu``), ratios, peak RSS."""
    with NormalisePool(workers) as pool:
        return _run(n, chunk_size, seed, pool)


def _run(n: int, chunk_size: int, seed: int, pool: NormalisePool) -> dict[str, dict[str, float]]:
    clock = _Clock()
    done = errors = 0
    warm = True
    for chunk in _chunks(generated_records(n, seed), chunk_size):
        if warm:  # imports, compiled patterns, caches and lingua's models, for both sides
            for ident, xml in chunk[:300]:
                normalise(RawRecord("bench", ident, "marc21", "d", xml=xml))
            part = COLLECTION.format("".join(xml for _, xml in chunk[:300]))
            pymarc.parse_xml_to_array(io.BytesIO(part.encode("utf-8")))
            detector()  # lingua's models load once, before any timing
            warm_raws = [RawRecord("bench", i, "marc21", "d", xml=x) for i, x in chunk[:2000]]
            _pool_all(pool, warm_raws)  # workers started, imported and warm
            warm = False
        raws = [RawRecord("bench", ident, "marc21", "2024-01-01", xml=xml) for ident, xml in chunk]
        # the detection pass meets the values the first pass cached: its figure flatters
        clock.time("ours", partial(_normalise_all, raws, False))
        clock.time("ours_lingua", partial(_normalise_all, raws, True))
        clock.time("ours_parse", partial(_read_all, raws))
        clock.time("ours_pool", partial(_pool_all, pool, raws))
        doc = COLLECTION.format("".join(xml for _, xml in chunk)).encode("utf-8")
        parsed = clock.time("pymarc", partial(_pymarc_all, doc))
        errors += len(chunk) - len(parsed)  # type: ignore[arg-type]  # object from time()
        done += len(chunk)
    # lingua only runs for records without a language code: time it on such records
    sample = [
        RawRecord("bench", ident, "marc21", "d", xml=_without_language(xml))
        for ident, xml in _chunks(generated_records(min(n, 3000), seed + 1), 3000).__next__()
    ]
    warmup = len(sample) // 10  # lingua loads a language's models when first needed
    _normalise_all(sample[:warmup], True)
    clock.time("detecting", partial(_normalise_all, sample[warmup:], True))
    out: dict[str, dict[str, float]] = {}
    for kind, spent in (("wall", clock.wall), ("cpu", clock.cpu)):
        out[kind] = {
            "ours_rps": done / spent["ours"],
            "ours_lingua_rps": done / spent["ours_lingua"],
            "ours_parse_rps": done / spent["ours_parse"],
            "pymarc_rps": done / spent["pymarc"],
            "ratio_parse": spent["pymarc"] / spent["ours_parse"],
            "ratio": spent["pymarc"] / spent["ours"],
            "ratio_lingua": spent["pymarc"] / spent["ours_lingua"],
            "detecting_rps": (len(sample) - warmup) / spent["detecting"],
            "ours_pool_rps": done / spent["ours_pool"],
            "ratio_pool": spent["pymarc"] / spent["ours_pool"],
        }
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    out["run"] = {
        "records": done,
        "peak_rss_mb": peak_kb / 1024,
        "pymarc_missing": errors,
        "workers": pool.workers,
    }
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--records", type=int, default=100_000, help="records to generate")
    ap.add_argument("--chunk", type=int, default=5000, help="records timed per round")
    ap.add_argument("--seed", type=int, default=1, help="seed of the record generator")
    ap.add_argument(
        "--workers",
        type=int,
        default=0,
        help="worker processes of the `birlik index` path (default: one per CPU)",
    )
    args = ap.parse_args(argv)
    result = run(args.records, args.chunk, args.seed, worker_count(args.workers))
    info = result["run"]
    print(
        f"records: {info['records']:.0f}    load average: {os.getloadavg()[0]:.1f}"
        f"    CPUs: {worker_count(0)}"
    )
    print(f"{'':34s}{'wall':>10s}{'cpu':>10s}")
    rows = [
        ("ours   MARCXML → Record", "ours_rps", " records/s"),
        ("ours   with language detection", "ours_lingua_rps", " records/s"),
        ("ours   every record detected", "detecting_rps", " records/s (no codes)"),
        ("ours   reading only (no mapping)", "ours_parse_rps", " records/s"),
        (f"ours   {info['workers']:.0f} processes (birlik index)", "ours_pool_rps", " records/s"),
        ("pymarc parse_xml_to_array", "pymarc_rps", " records/s"),
        ("ratio ours / pymarc", "ratio", "x  (target >= 3x; one process each)"),
        ("ratio birlik index / pymarc", "ratio_pool", "x  (wall clock)"),
        ("ratio with detection / pymarc", "ratio_lingua", "x  (second pass: caches warm)"),
        ("ratio reading only / pymarc", "ratio_parse", "x  (like for like)"),
    ]
    for label, key, unit in rows:
        wall, cpu = result["wall"][key], result["cpu"][key]
        fmt = ".2f" if key.startswith("ratio") else ".0f"
        cpu_text = "—" if "pool" in key else f"{cpu:{fmt}}"  # the workers' CPU is not ours
        print(f"{label:34s}{wall:10{fmt}}{cpu_text:>10s}{unit}")
    print(f"peak RSS: {info['peak_rss_mb']:.0f} MB")
    if info["pymarc_missing"]:
        print(f"pymarc returned {info['pymarc_missing']:.0f} records fewer than given")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
