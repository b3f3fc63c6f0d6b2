"""Assemble both sample collections from the tables and write them in the directory format.

Layout written (the format the provider reads, see config/samples/README.md):
``<out>/<lib>/repository.toml``, ``<out>/<lib>/records/part-NNNN.xml`` (100 items each, in
identifier order) and ``<out>/shared_works.tsv`` (dedup ground truth). Output bytes depend only
on the tables: no clock, no randomness, no dict-order surprises.
"""

from __future__ import annotations

import shutil
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree
from pymarc import Record

from samplegen import dublin_core
from samplegen.marc import Builder
from samplegen.stamps import datestamp, record_number
from samplegen.tables import (
    LIBRARIES,
    Edition,
    TableError,
    load_authors,
    load_editions,
    load_relations,
    load_subjects,
)

MARC = "http://www.loc.gov/MARC21/slim"
PREFIX = {"anl": "oai:anl.az:", "nlrk": "oai:nlrk.kz:"}
FORMATS = {"anl": ("marc21",), "nlrk": ("marc21", "oai_dc")}
ITEMS_PER_FILE = 100
RELATION_ORDER = ("same", "translation", "other_edition", "other_volume", "different_generic")


@dataclass
class Item:
    """One record of a collection, ready to write."""

    identifier: str
    datestamp: str
    sets: tuple[str, ...]
    deleted: bool
    edition: Edition
    marc: Record | None = None


@dataclass
class Samples:
    """Both collections and the pairs between them."""

    items: dict[str, list[Item]] = field(default_factory=dict)
    pairs: list[tuple[str, str, str, str]] = field(default_factory=list)


def build(tables: Path) -> Samples:
    """Read every table under ``tables`` and make the items of both libraries."""
    authors = load_authors(tables / "authors.tsv")
    subjects = load_subjects(tables / "subjects.tsv")
    editions: list[Edition] = []
    for path in sorted(tables.glob("editions_*.tsv")):
        editions.extend(load_editions(path))
    seen: dict[str, str] = {}
    for ed in editions:
        if ed.key in seen:
            raise TableError(f"{ed.source}: edition key {ed.key!r} also in {seen[ed.key]}")
        seen[ed.key] = ed.source
        for key, _ in ed.authors:
            if key not in authors:
                raise TableError(f"{ed.source}: {ed.key}: unknown author {key!r}")
        for key in ed.subjects:
            if key not in subjects:
                raise TableError(f"{ed.source}: {ed.key}: unknown subject {key!r}")
    owners: dict[str, str] = {}  # a composed ISBN must not turn two editions into one
    for ed in editions:
        if ed.isbn and owners.setdefault(ed.isbn, ed.key) != ed.key:
            raise TableError(f"{ed.source}: {ed.key}: ISBN/ISSN {ed.isbn} is {owners[ed.isbn]}'s")
    samples = Samples()
    by_key: dict[str, dict[str, Item]] = {lib: {} for lib in LIBRARIES}
    for lib in LIBRARIES:
        builder = Builder(lib, authors, subjects)
        numbers: dict[str, str] = {}
        items = []
        for ed in editions:
            held = ed.holdings.get(lib)
            if held is None:
                continue
            number = record_number(lib, ed.key)
            if number in numbers:
                raise TableError(f"{ed.key}: record number {number} taken by {numbers[number]}")
            numbers[number] = ed.key
            stamp = datestamp(lib, ed.key)
            sets = ["serials" if ed.kind == "serial" else "books", f"lang:{ed.lang}"]
            if "url" in held.flags:
                sets.append("ecopies")
            item = Item(PREFIX[lib] + number, stamp, tuple(sets), "del" in held.flags, ed)
            if not item.deleted:
                item.marc = builder.record(ed, held, number, stamp)
            items.append(item)
            by_key[lib][ed.key] = item
        samples.items[lib] = sorted(items, key=lambda i: i.identifier)
    samples.pairs = _pairs(by_key, load_relations(tables / "relations.tsv"))
    return samples


def _describe(a: Item, b: Item) -> str:
    flags = {lib: sorted(item.edition.holdings[lib].flags - {"y"}) for lib, item in
             (("anl", a), ("nlrk", b))}  # fmt: skip
    differs = "; ".join(f"{lib}: {','.join(f)}" for lib, f in flags.items() if f)
    return f"{a.edition.key}" + (f" ({differs})" if differs else "")


def _pairs(
    by_key: dict[str, dict[str, Item]], relations: list[tuple[str, str, str, str]]
) -> list[tuple[str, str, str, str]]:
    anl, nlrk = by_key["anl"], by_key["nlrk"]
    pairs = []
    for key, a in anl.items():
        b = nlrk.get(key)
        if b and not a.deleted and not b.deleted:
            pairs.append((a.identifier, b.identifier, "same", _describe(a, b)))
    for key, a in anl.items():
        base, sep, vol = key.rpartition("/v")
        if not (sep and vol.isdigit()):
            continue
        for step in (1, -1):  # the next volume either way: never the same book
            other = nlrk.get(f"{base}/v{int(vol) + step}")
            if other and not a.deleted and not other.deleted:
                note = f"{key} vs {other.edition.key}"
                pairs.append((a.identifier, other.identifier, "other_volume", note))
    for ka, kb, relation, note in relations:
        if ka not in anl or kb not in nlrk:
            raise TableError(f"relations.tsv: {ka} must be held by ANL and {kb} by NLRK")
        if anl[ka].deleted or nlrk[kb].deleted:
            raise TableError(f"relations.tsv: {ka} / {kb} is a deleted record")
        pairs.append((anl[ka].identifier, nlrk[kb].identifier, relation, note))
    return sorted(pairs, key=lambda p: (RELATION_ORDER.index(p[2]), p[0], p[1]))


def marcxml(record: Record) -> etree._Element:
    """The MARCXML ``record`` element, leader carrying the real ISO 2709 length and base."""
    root = etree.Element(f"{{{MARC}}}record", nsmap={None: MARC})
    etree.SubElement(root, f"{{{MARC}}}leader").text = record.as_marc()[:24].decode("ascii")
    for f in record.fields:
        if f.is_control_field():
            etree.SubElement(root, f"{{{MARC}}}controlfield", tag=f.tag).text = f.data
            continue
        df = etree.SubElement(
            root, f"{{{MARC}}}datafield", tag=f.tag, ind1=f.indicator1, ind2=f.indicator2
        )
        for sub in f.subfields:
            etree.SubElement(df, f"{{{MARC}}}subfield", code=sub.code).text = sub.value
    return root


def _item_element(item: Item, lib: str) -> etree._Element:
    el = etree.Element("item", identifier=item.identifier, datestamp=item.datestamp)
    el.set("sets", " ".join(item.sets))
    if item.deleted or item.marc is None:
        el.set("deleted", "true")
        return el
    for prefix in FORMATS[lib]:
        md = etree.SubElement(el, "metadata", prefix=prefix)
        md.append(marcxml(item.marc) if prefix == "marc21" else dublin_core.to_element(item.marc))
    return el


def write(samples: Samples, tables: Path, out: Path) -> None:
    """Write both collection directories and shared_works.tsv under ``out``."""
    for lib, items in samples.items.items():
        target = out / lib
        repo_src = tables / f"{lib}.repository.toml"
        declared = {s["spec"] for s in tomllib.loads(repo_src.read_text("utf-8"))["sets"]}
        for item in items:
            missing = set(item.sets) - declared
            if missing:
                raise TableError(f"{repo_src}: sets {sorted(missing)} used but not declared")
        if (target / "records").is_dir():
            for old in (target / "records").glob("part-*.xml"):
                old.unlink()
        (target / "records").mkdir(parents=True, exist_ok=True)
        shutil.copyfile(repo_src, target / "repository.toml")
        for n in range(0, len(items), ITEMS_PER_FILE):
            root = etree.Element("items")
            for item in items[n : n + ITEMS_PER_FILE]:
                root.append(_item_element(item, lib))
            path = target / "records" / f"part-{n // ITEMS_PER_FILE + 1:04d}.xml"
            path.write_bytes(
                etree.tostring(root, encoding="UTF-8", xml_declaration=True, pretty_print=True)
            )
    lines = ["anl_id\tnlrk_id\trelation\tnote"]
    lines += ["\t".join(pair) for pair in samples.pairs]
    (out / "shared_works.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
