"""Gap lists (agreement 2.2): works library A holds and library B lacks.

Computed on duplicate clusters, so a work B holds in another script or romanisation still
counts as held. Filterable by language, type, year range and subject. Written as CSV that
opens cleanly in a spreadsheet (UTF-8 with BOM, one row per work) or as MARCXML carrying
the holder's full record.
"""

from __future__ import annotations

import csv
import io
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TextIO

from lxml import etree

from indexer.record import Record

MARC_NS = "http://www.loc.gov/MARC21/slim"
CSV_COLUMNS = ("isbn", "title", "authors", "year", "language", "type", "record_id", "cluster_id")


@dataclass(frozen=True)
class GapFilter:
    language: str = ""
    type: str = ""
    year_from: int | None = None
    year_to: int | None = None
    subject: str = ""

    def accepts(self, r: Record) -> bool:
        if self.language and self.language not in r.languages:
            return False
        if self.type and self.type != r.type:
            return False
        if self.year_from is not None and (r.year is None or r.year < self.year_from):
            return False
        if self.year_to is not None and (r.year is None or r.year > self.year_to):
            return False
        if self.subject:
            want = self.subject.casefold()
            if not any(want in s.casefold() for s in r.subjects):
                return False
        return True


@dataclass(frozen=True)
class GapRow:
    cluster_id: str
    record: Record  # the holder's record (its preferred one when it holds several)
    holder_ids: tuple[str, ...]


def gap_rows(
    clusters: Iterable[tuple[str, list[Record]]], have: str, lack: str, flt: GapFilter
) -> Iterator[GapRow]:
    """One row per cluster that has a record from ``have`` and none from ``lack``.

    ``clusters`` yields (cluster id, live member records in preferred order).
    """
    for cid, members in clusters:
        sources = {r.source for r in members}
        if have not in sources or lack in sources:
            continue
        held = [r for r in members if r.source == have]
        if flt.accepts(held[0]):
            yield GapRow(cid, held[0], tuple(r.id for r in held))


def write_csv(rows: Iterable[GapRow], out: TextIO) -> int:
    """CSV for spreadsheets: BOM, header, one row per work; returns the number of rows."""
    out.write("\ufeff")
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(CSV_COLUMNS)
    n = 0
    for row in rows:
        r = row.record
        isbns = r.isbns or r.invalid_isbns
        w.writerow(
            [
                "; ".join(isbns),
                " : ".join(p for p in (r.title, r.subtitle) if p),
                "; ".join(r.author_names),
                r.year or "",
                "; ".join(r.languages),
                r.type,
                "; ".join(row.holder_ids),
                row.cluster_id,
            ]
        )
        n += 1
    return n


def marcxml_of(record: Record) -> etree._Element:
    """The holder's full MARCXML record; a DC record is rendered as minimal MARCXML."""
    if record.raw_xml and "MARC21/slim" in record.raw_xml[:2000]:
        root = etree.fromstring(record.raw_xml.encode("utf-8"))
        if etree.QName(root).localname == "collection":
            root = root[0]
        return root
    return _minimal_marcxml(record)


def _minimal_marcxml(r: Record) -> etree._Element:
    rec = etree.Element(f"{{{MARC_NS}}}record", nsmap={None: MARC_NS})
    etree.SubElement(rec, f"{{{MARC_NS}}}leader").text = "     nam a22     uu 4500"
    etree.SubElement(rec, f"{{{MARC_NS}}}controlfield", tag="001").text = r.id

    def field(tag: str, subs: list[tuple[str, str]], ind1: str = " ", ind2: str = " ") -> None:
        subs = [(c, v) for c, v in subs if v]
        if not subs:
            return
        df = etree.SubElement(rec, f"{{{MARC_NS}}}datafield", tag=tag, ind1=ind1, ind2=ind2)
        for code, value in subs:
            etree.SubElement(df, f"{{{MARC_NS}}}subfield", code=code).text = value

    for i in r.isbns:
        field("020", [("a", i)])
    for lang in r.languages:
        field("041", [("a", lang)])
    if r.authors:
        field("100", [("a", r.authors[0].name)], "1")
    field("245", [("a", r.title), ("b", r.subtitle), ("c", r.responsibility)], "0", "0")
    field("264", [("a", r.place), ("b", r.publisher), ("c", str(r.year or ""))], " ", "1")
    field("300", [("a", r.extent)])
    for s in r.subjects:
        field("650", [("a", s)], " ", "4")
    for a in r.authors[1:]:
        field("700", [("a", a.name)], "1")
    for link in r.links:
        field("856", [("u", link.url), ("y", link.label)], "4", "0")
    return rec


def write_marcxml(rows: Iterable[GapRow], out: TextIO) -> int:
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    out.write(f'<collection xmlns="{MARC_NS}">\n')
    n = 0
    for row in rows:
        out.write(etree.tostring(marcxml_of(row.record), encoding="unicode"))
        out.write("\n")
        n += 1
    out.write("</collection>\n")
    return n


def to_text(rows: Iterable[GapRow], fmt: str) -> str:
    buf = io.StringIO()
    (write_csv if fmt == "csv" else write_marcxml)(rows, buf)
    return buf.getvalue()


def gap_clusters(
    conn: sqlite3.Connection, have: str, lack: str
) -> Iterator[tuple[str, list[Record]]]:
    """Clusters (id, ``have``'s live records in preferred order) with no live ``lack`` record.

    Streams from the state database (``conn``) in cluster-id order; a record outside
    ``clusters`` (not deduplicated yet) is its own cluster. Feed the result to ``gap_rows``.
    """
    sql = """
        WITH m AS (
            SELECT r.id, r.source, r.json, coalesce(c.cluster_id, r.id) AS cid,
                   coalesce(c.rank, 0) AS rank
            FROM records r LEFT JOIN clusters c ON c.record_id = r.id
            WHERE r.deleted = 0 AND r.source IN (?, ?))
        SELECT cid, json FROM m
        WHERE source = ? AND cid NOT IN (SELECT cid FROM m WHERE source = ?)
        ORDER BY cid, rank, id"""
    tables = conn.execute(
        "SELECT count(*) FROM sqlite_master WHERE name IN ('records', 'clusters')"
    ).fetchone()[0]
    if tables < 2:
        return
    current: str | None = None
    members: list[Record] = []
    for cid, js in conn.execute(sql, (have, lack, have, lack)):
        if cid != current:
            if members and current is not None:
                yield current, members
            current, members = cid, []
        members.append(Record.from_json(js))
    if members and current is not None:
        yield current, members
