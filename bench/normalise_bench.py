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

Prints records/s of each, the ratio (target: ours ≥ 3× pymarc) and the peak RSS.
Not a timed test; figures go to the notes.
"""

from __future__ import annotations

import argparse
import io
import random
import re
import resource
import sys
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pymarc  # noqa: E402

from harvester.store import RawRecord  # noqa: E402
from indexer.detect import detector  # noqa: E402
from indexer.normalise import normalise  # noqa: E402
from indexer.normalise.marcxml import read_one  # noqa: E402

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


def run(n: int, chunk_size: int, seed: int) -> dict[str, float]:
    ours = ours_lingua = ours_parse = theirs = 0.0
    done = errors = 0
    warm = True
    for chunk in _chunks(generated_records(n, seed), chunk_size):
        if warm:  # imports, compiled patterns, caches and lingua's models, for both sides
            for ident, xml in chunk[:300]:
                normalise(RawRecord("bench", ident, "marc21", "d", xml=xml))
            part = COLLECTION.format("".join(xml for _, xml in chunk[:300]))
            pymarc.parse_xml_to_array(io.BytesIO(part.encode("utf-8")))
            detector()  # lingua's models load once, before any timing
            warm = False
        raws = [RawRecord("bench", ident, "marc21", "2024-01-01", xml=xml) for ident, xml in chunk]
        t = time.perf_counter()
        for raw in raws:
            normalise(raw, detect_language=False)
        ours += time.perf_counter() - t
        t = time.perf_counter()
        for raw in raws:
            normalise(raw, detect_language=True)
        ours_lingua += time.perf_counter() - t
        t = time.perf_counter()
        for raw in raws:
            read_one(raw.xml or "")
        ours_parse += time.perf_counter() - t
        doc = COLLECTION.format("".join(xml for _, xml in chunk)).encode("utf-8")
        t = time.perf_counter()
        parsed = pymarc.parse_xml_to_array(io.BytesIO(doc))
        theirs += time.perf_counter() - t
        errors += len(chunk) - len(parsed)
        done += len(chunk)
    # lingua only runs for records without a language code: time it on such records
    sample = [
        RawRecord("bench", ident, "marc21", "d", xml=_without_language(xml))
        for ident, xml in _chunks(generated_records(min(n, 3000), seed + 1), 3000).__next__()
    ]
    t = time.perf_counter()
    for raw in sample:
        normalise(raw, detect_language=True)
    lingua_only = time.perf_counter() - t
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "records": done,
        "ours_rps": done / ours,
        "ours_lingua_rps": done / ours_lingua,
        "ours_parse_rps": done / ours_parse,
        "pymarc_rps": done / theirs,
        "ratio_parse": theirs / ours_parse,
        "ratio": theirs / ours,
        "ratio_lingua": theirs / ours_lingua,
        "peak_rss_mb": peak_kb / 1024,
        "detecting_rps": len(sample) / lingua_only,
        "pymarc_missing": errors,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--records", type=int, default=100_000)
    ap.add_argument("--chunk", type=int, default=5000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    r = run(args.records, args.chunk, args.seed)
    print(f"records:                         {r['records']:.0f}")
    print(f"ours   MARCXML → Record:         {r['ours_rps']:9.0f} records/s")
    print(f"ours   with language detection:  {r['ours_lingua_rps']:9.0f} records/s")
    print(f"ours   when every record is detected:{r['detecting_rps']:5.0f} records/s (no codes)")
    print(f"ours   reading only (no mapping):{r['ours_parse_rps']:9.0f} records/s")
    print(f"pymarc parse_xml_to_array:       {r['pymarc_rps']:9.0f} records/s")
    print(
        f"ratio ours / pymarc:             {r['ratio']:9.2f}x  (with detection"
        f" {r['ratio_lingua']:.2f}x; target >= 3x)"
    )
    print(f"ratio reading only / pymarc:     {r['ratio_parse']:9.2f}x  (like for like)")
    print(f"peak RSS:                        {r['peak_rss_mb']:9.0f} MB")
    if r["pymarc_missing"]:
        print(f"pymarc returned {r['pymarc_missing']:.0f} records fewer than given")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
