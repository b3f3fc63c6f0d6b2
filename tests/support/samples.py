"""The bundled sample collections (config/samples/) for tests of any stage.

Plain helpers rather than fixtures, so a test module can import them without a plugin:

    from tests.support.samples import SAMPLES, sample_dir, shared_works
    pairs = [p for p in shared_works() if p.relation == "same"]
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path
from typing import NamedTuple

SAMPLES = Path(__file__).resolve().parents[2] / "config" / "samples"
LIBRARIES = ("anl", "nlrk")
RELATIONS = ("same", "translation", "other_edition", "other_volume", "different_generic")


class SharedPair(NamedTuple):
    """One labelled pair of shared_works.tsv: an ANL and an NLRK record and how they relate."""

    anl_id: str  # OAI identifier, e.g. "oai:anl.az:129999"
    nlrk_id: str  # OAI identifier, e.g. "oai:nlrk.kz:345622"
    relation: str  # one of RELATIONS; only "same" is a true duplicate
    note: str


def sample_dir(lib: str) -> Path:
    """The collection directory of ``lib`` ("anl" or "nlrk"), as the provider reads it."""
    if lib not in LIBRARIES:
        raise ValueError(f"no sample collection {lib!r}; there are {LIBRARIES}")
    return SAMPLES / lib


@cache
def shared_works() -> tuple[SharedPair, ...]:
    """The deduplication ground truth, in file order."""
    with (SAMPLES / "shared_works.tsv").open(encoding="utf-8", newline="") as fh:
        return tuple(SharedPair(**row) for row in csv.DictReader(fh, delimiter="\t"))
