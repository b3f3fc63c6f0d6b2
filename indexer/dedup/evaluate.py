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

from stdnum import isbn as stdisbn

from indexer.dedup.features import features
from indexer.dedup.match import score_pair
from indexer.record import Name, Record


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
    isbns, invalid = [], []
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
