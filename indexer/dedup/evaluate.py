"""Measuring matching quality on labelled pairs: precision, recall, F1.

Used by ``bench/dedup_eval.py`` and the tests. Labelled pairs come from hand-written hard
cases (``tests/fixtures/dedup/hard_cases.tsv``) and from the sample collections' ground
truth (``config/samples/shared_works.tsv``).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from lxml import etree
from stdnum import isbn as stdisbn
from stdnum import issn as stdissn

from harvester.store import RawRecord
from indexer.dedup.features import features
from indexer.dedup.match import score_pair
from indexer.errors import NormaliseError
from indexer.normalise import normalise
from indexer.record import Name, Record

LIBRARIES = ("anl", "nlrk")


@dataclass(frozen=True)
class Case:
    name: str
    category: str
    a: Record
    b: Record
    same: bool


@dataclass(frozen=True)
class Quality:
    tp: int
    fp: int
    fn: int
    tn: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def _record(rid: str, row: dict[str, str]) -> Record:
    isbns: list[str] = []
    invalid: list[str] = []
    for raw in filter(None, row["isbn"].split(";")):
        (isbns if stdisbn.is_valid(raw) else invalid).append(raw)
    return Record(
        id=rid,
        source=rid.split(":")[0],
        oai_id=rid,
        datestamp="2024-01-01T00:00:00Z",
        format="marc21",
        title=row["title"],
        subtitle=row["subtitle"],
        authors=(Name(row["author"]),) if row["author"] else (),
        year=int(row["year"]) if row["year"] else None,
        languages=(row["language"],) if row["language"] else (),
        publisher=row["publisher"],
        isbns=tuple(stdisbn.to_isbn13(stdisbn.compact(i)) for i in isbns),
        issns=tuple(
            stdissn.format(i) for i in (row.get("issn") or "").split(";") if stdissn.is_valid(i)
        ),
        invalid_isbns=tuple(invalid),
        edition=row["edition"],
        volume=row["volume"],
        type=row["type"],
    )


def load_cases(path: Path) -> list[Case]:
    """Pairs from a TSV with two rows (sides a and b) per case."""
    rows: dict[str, dict[str, dict[str, str]]] = {}
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            rows.setdefault(row["case"], {})[row["side"]] = row
    cases = []
    for name, sides in rows.items():
        a, b = sides["a"], sides["b"]
        cases.append(
            Case(
                name,
                a["category"],
                _record(f"anl:case{name}", a),
                _record(f"nlrk:case{name}", b),
                a["label"] == "same",
            )
        )
    return cases


def measure(cases: Iterable[Case]) -> tuple[Quality, list[tuple[Case, tuple[str, ...]]]]:
    """Quality of ``score_pair`` on the cases, and the cases it got wrong with its reasons."""
    tp = fp = fn = tn = 0
    wrong = []
    for c in cases:
        m = score_pair(features(c.a), features(c.b))
        if m.same and c.same:
            tp += 1
        elif m.same:
            fp += 1
            wrong.append((c, m.reasons))
        elif c.same:
            fn += 1
            wrong.append((c, m.reasons))
        else:
            tn += 1
    return Quality(tp, fp, fn, tn), wrong


def combined(*qs: Quality) -> Quality:
    """The pooled counts of several measurements."""
    return Quality(*(sum(getattr(q, k) for q in qs) for k in ("tp", "fp", "fn", "tn")))


def load_samples(samples: Path, *, prefix: str = "marc21") -> dict[str, Record]:
    """Record id → normalised Record of every live item of the sample collections.

    Items are read from ``<samples>/<lib>/records/part-*.xml`` and normalised exactly as the
    indexer does (without language detection, which the samples do not need: they carry
    codes); ``prefix`` picks the metadata format where an item has it (NLRK's items carry
    ``oai_dc`` beside ``marc21``), else the item's first format is read.
    """
    out: dict[str, Record] = {}
    for lib in LIBRARIES:
        for part in sorted((samples / lib / "records").glob("part-*.xml")):
            for item in etree.parse(str(part)).getroot():
                if item.get("deleted") == "true":
                    continue
                formats = [m for m in item if len(m)]
                md = next((m for m in formats if m.get("prefix") == prefix), None)
                md = formats[0] if md is None and formats else md
                if md is None:
                    continue
                xml = etree.tostring(md[0], encoding="unicode")
                ident, stamp = item.get("identifier", ""), item.get("datestamp", "")
                raw = RawRecord(lib, ident, md.get("prefix", ""), stamp, xml=xml)
                try:
                    rec = normalise(raw, detect_language=False)
                except NormaliseError as e:
                    raise NormaliseError(f"sample {part}: {e}", step="evaluate") from e
                out[rec.id] = rec
    return out


def sample_truth(samples: Path) -> set[tuple[str, str]]:
    """(ANL record id, NLRK record id) of every ``same`` row of ``shared_works.tsv``."""
    with (samples / "shared_works.tsv").open(encoding="utf-8", newline="") as fh:
        return {
            (f"anl:{row['anl_id']}", f"nlrk:{row['nlrk_id']}")
            for row in csv.DictReader(fh, delimiter="\t")
            if row["relation"] == "same"
        }


def pair_quality(
    clusters: Iterable[list[str]], truth: set[tuple[str, str]], *, cross: tuple[str, str]
) -> Quality:
    """Pairwise quality of clusters against true duplicate pairs.

    Counts the pairs across the two sources in ``cross`` that share a cluster; since the
    truth is complete, every such pair not in it is a false merge (``tn`` is not counted).
    """
    found: set[tuple[str, str]] = set()
    for members in clusters:
        left = [m for m in members if m.startswith(cross[0] + ":")]
        right = [m for m in members if m.startswith(cross[1] + ":")]
        found.update((a, b) for a in left for b in right)
    tp = len(found & truth)
    return Quality(tp, len(found) - tp, len(truth) - tp, 0)


def sample_cases(samples: Path, *, prefix: str = "marc21") -> list[Case]:
    """The labelled pairs of ``<samples>/shared_works.tsv`` as cases (category = relation)."""
    return cases_from(samples / "shared_works.tsv", load_samples(samples, prefix=prefix))


def cases_from(truth: Path, recs: dict[str, Record]) -> list[Case]:
    """The labelled pairs of a ``shared_works.tsv`` over already normalised records."""
    cases = []
    with truth.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            a, b = f"anl:{row['anl_id']}", f"nlrk:{row['nlrk_id']}"
            missing = [i for i in (a, b) if i not in recs]
            if missing:
                raise ValueError(f"{truth} names {missing}: not live sample records")
            cases.append(
                Case(row["note"], row["relation"], recs[a], recs[b], row["relation"] == "same")
            )
    return cases
