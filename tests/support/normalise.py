"""Helpers for the normaliser tests (imported by them; no fixtures to register)."""

from __future__ import annotations

from pathlib import Path

from harvester.store import RawRecord
from indexer.errors import NormaliseError
from indexer.normalise import normalise, normalise_marc
from indexer.normalise.iso2709 import iter_iso2709
from indexer.normalise.marc import MarcRecord
from indexer.record import Record

REALDATA = Path(__file__).resolve().parent.parent / "fixtures" / "realdata"


def realdata(name: str) -> Path:
    return REALDATA / name


def iso_records(name: str) -> list[MarcRecord | NormaliseError]:
    """Every record (or read error) of an ISO 2709 fixture file."""
    return list(iter_iso2709(realdata(name).read_bytes()))


def marc_raw(rec: MarcRecord, identifier: str, *, prefix: str = "marc21") -> RawRecord:
    """A raw record as an ISO 2709 import stores it: the record as MARCXML."""
    return RawRecord("test", identifier, prefix, "2024-01-01", xml=rec.to_marcxml())


def normalise_iso(name: str, index: int, *, prefix: str = "marc21") -> Record:
    """The normalised record number ``index`` of an ISO 2709 fixture, via MARCXML."""
    rec = iso_records(name)[index]
    assert isinstance(rec, MarcRecord), rec
    return normalise(marc_raw(rec, f"{name}#{index}", prefix=prefix), detect_language=False)


def normalise_parsed(rec: MarcRecord, identifier: str = "x") -> Record:
    """Map a parsed record directly (no MARCXML round trip)."""
    raw = RawRecord("test", identifier, "marc21", "2024-01-01", xml="")
    return normalise_marc(rec, raw, detect_language=False)


def mapped(rec: Record) -> dict[str, object]:
    """The record's non-empty mapped fields (without ids, the raw XML and ``scripts``)."""
    skip = {"id", "source", "oai_id", "datestamp", "raw_xml"}
    return {k: v for k, v in rec.to_dict().items() if k not in skip and v not in ("", (), None)}
