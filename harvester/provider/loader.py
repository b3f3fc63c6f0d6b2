"""Read a collection directory's ``records/*.xml`` files as a stream of items.

Each file is ``<items>`` holding many ``<item identifier=… datestamp=… [sets=…]
[deleted="true"]>`` with one ``<metadata prefix=…>`` per format. Files are parsed
incrementally (lxml iterparse) so a million records never live in memory; each metadata
record is serialized once here and served as a string from then on.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from lxml import etree

from harvester.provider import dates
from harvester.provider.repository import SET_SPEC_RE, CollectionError


@dataclass(frozen=True)
class Item:
    """One item of a collection, as read from a file or given to ``Collection.put``."""

    identifier: str
    datestamp: str  # stored form, YYYY-MM-DDThh:mm:ssZ
    deleted: bool = False
    sets: tuple[str, ...] = ()
    metadata: dict[str, str] = field(default_factory=dict)
    namespaces: dict[str, str] = field(default_factory=dict)  # prefix -> root namespace


_SPACE_RE = re.compile(r"\s")


def check_identifier(identifier: str, where: str) -> None:
    """Raise CollectionError unless ``identifier`` is a usable OAI identifier."""
    if not identifier or _SPACE_RE.search(identifier):
        raise CollectionError(f"{where}: identifier {identifier!r} is empty or has spaces")


@lru_cache(maxsize=4096)
def _bad_set(sets: tuple[str, ...]) -> str | None:
    return next((spec for spec in sets if not SET_SPEC_RE.fullmatch(spec)), None)


def check_sets(sets: tuple[str, ...], where: str) -> None:
    """Raise CollectionError unless every setSpec is well-formed."""
    bad = _bad_set(sets)
    if bad is not None:
        raise CollectionError(f"{where}: {bad!r} is not a valid setSpec")


def record_files(directory: Path) -> list[Path]:
    """The record files of a collection directory, in name order."""
    records = directory / "records"
    if not records.is_dir():
        raise CollectionError(f"{directory}: no records/ directory")
    return sorted(records.glob("*.xml"))


def read_items(path: Path) -> Iterator[Item]:
    """The items of one record file; raises CollectionError naming file, line and problem."""
    try:
        with path.open("rb") as f:
            for _, elem in etree.iterparse(f, events=("end",), tag="item", huge_tree=True):
                yield _item(elem, f"{path}:{elem.sourceline}")
                elem.clear()
                parent = elem.getparent()
                if parent is not None:
                    while elem.getprevious() is not None:
                        del parent[0]
    except etree.XMLSyntaxError as exc:
        raise CollectionError(f"{path}: not well-formed XML: {exc}") from None
    except OSError as exc:
        raise CollectionError(f"{path}: cannot read: {exc}") from None


def _item(elem: etree._Element, where: str) -> Item:
    identifier = elem.get("identifier") or ""
    check_identifier(identifier, where)
    where = f"{where} (item {identifier})"
    try:
        datestamp = dates.normalise(elem.get("datestamp") or "")
    except dates.BadDate as exc:
        raise CollectionError(f"{where}: datestamp: {exc}") from None
    sets = tuple((elem.get("sets") or "").split())
    check_sets(sets, where)
    deleted = (elem.get("deleted") or "false").lower()
    if deleted not in ("true", "false"):
        raise CollectionError(f"{where}: deleted={deleted!r} is not 'true' or 'false'")
    metadata: dict[str, str] = {}
    namespaces: dict[str, str] = {}
    for md in elem.iterchildren("metadata"):
        prefix = md.get("prefix") or ""
        if not prefix:
            raise CollectionError(f"{where}: <metadata> without a prefix attribute")
        if prefix in metadata:
            raise CollectionError(f"{where}: two <metadata prefix={prefix!r}>")
        roots = [c for c in md if isinstance(c.tag, str)]
        if len(roots) != 1:
            raise CollectionError(f"{where}: <metadata prefix={prefix!r}> needs one element")
        metadata[prefix] = etree.tostring(roots[0], encoding="unicode", with_tail=False)
        namespaces[prefix] = etree.QName(roots[0]).namespace or ""
    if deleted == "true" and metadata:
        raise CollectionError(f"{where}: a deleted item carries no metadata")
    if deleted == "false" and not metadata:
        raise CollectionError(f"{where}: an item that is not deleted needs <metadata>")
    return Item(identifier, datestamp, deleted == "true", sets, metadata, namespaces)


def metadata_namespace(xml: str, where: str) -> str:
    """The namespace of a metadata record given as a string; raises CollectionError."""
    try:
        root = etree.fromstring(xml.encode("utf-8"))
    except etree.XMLSyntaxError as exc:
        raise CollectionError(f"{where}: metadata is not well-formed XML: {exc}") from None
    return etree.QName(root).namespace or ""
