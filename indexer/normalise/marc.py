"""A small, fast in-memory MARC record shared by the MARC21 and UNIMARC/RUSMARC mappings.

Readers (``marcxml.py`` for MARCXML, ``iso2709.py`` for ISO 2709 files) build a
``MarcRecord``; the mappings read it through ``fields(tag)`` and ``Field.values(codes)``.
It is deliberately smaller than pymarc's model: the normaliser only reads, and building
pymarc objects is what makes pymarc slow on large batches. ``to_marcxml()`` writes the
record back as MARCXML, which is how ISO 2709 imports are stored in the raw store.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import NamedTuple
from xml.sax.saxutils import escape, quoteattr

MARC21_NS = "http://www.loc.gov/MARC21/slim"

# Characters that mark the non-sorting part of a title (MARC-8 and ISO 6429 NSB/NSE, and
# the UNIMARC "<< >>" convention) and control characters that have no place in text.
_NONSORT = dict.fromkeys(map(ord, "\x88\x89\x98\x9c"), None)


def clean_text(value: str) -> str:
    """Drop non-sorting markers and surrounding white space from a catalogued value, and
    compose it (NFC): decomposed and composed letters must compare and index alike."""
    if not value:
        return ""
    if not value.isascii():
        if not value.isprintable():  # the markers are C1 controls: printable text has none
            value = value.translate(_NONSORT)
        if not unicodedata.is_normalized("NFC", value):
            value = unicodedata.normalize("NFC", value)
    return value.strip()


class Field(NamedTuple):
    """One MARC field: control fields carry ``data``; data fields carry subfields.

    A named tuple rather than a dataclass: readers build tens of millions of them, and a
    tuple is the cheapest immutable object Python makes.
    """

    tag: str
    ind1: str = " "
    ind2: str = " "
    subfields: tuple[tuple[str, str], ...] = ()
    data: str | None = None

    @property
    def is_control(self) -> bool:
        return self.data is not None

    def get(self, code: str) -> str:
        """The first value of subfield ``code``, cleaned, or ""."""
        for c, v in self.subfields:
            if c == code:
                return clean_text(v)
        return ""

    def values(self, codes: str) -> list[str]:
        """Every non-empty value of the subfields in ``codes``, in field order, cleaned."""
        out = []
        for c, v in self.subfields:
            if c in codes:
                v = clean_text(v)
                if v:
                    out.append(v)
        return out

    def text(self, codes: str = "", sep: str = " ") -> str:
        """The subfields in ``codes`` (all when empty) joined by ``sep``."""
        vals = [clean_text(v) for c, v in self.subfields if not codes or c in codes]
        return sep.join(v for v in vals if v)


@dataclass
class MarcRecord:
    """A MARC record: leader and fields in source order, indexed by tag on demand."""

    leader: str = ""
    fields_: list[Field] = field(default_factory=list)
    _by_tag: dict[str, list[Field]] | None = field(default=None, repr=False, compare=False)

    def add(self, f: Field) -> None:
        self.fields_.append(f)
        self._by_tag = None

    def _index(self) -> dict[str, list[Field]]:
        if self._by_tag is None:
            idx: dict[str, list[Field]] = {}
            for f in self.fields_:
                idx.setdefault(f.tag, []).append(f)
            self._by_tag = idx
        return self._by_tag

    def index(self) -> dict[str, list[Field]]:
        """Fields by tag, each list in source order (built once; do not change it)."""
        return self._by_tag if self._by_tag is not None else self._index()

    def fields(self, *tags: str) -> list[Field]:
        """Fields with any of ``tags``, in source order when several tags are asked."""
        idx = self._index()
        if len(tags) == 1:
            return idx.get(tags[0], [])
        found = [t for t in tags if t in idx]
        if len(found) < 2:  # usually: none or one of the tags is there
            return idx[found[0]] if found else []
        wanted = set(found)
        return [f for f in self.fields_ if f.tag in wanted]

    def first(self, tag: str) -> Field | None:
        found = self._index().get(tag)
        return found[0] if found else None

    def control(self, tag: str) -> str:
        """The data of control field ``tag`` (untrimmed: positions matter), or ""."""
        f = self.first(tag)
        return f.data or "" if f is not None else ""

    def has(self, tag: str) -> bool:
        return tag in self._index()

    def tags(self) -> Iterator[str]:
        return (f.tag for f in self.fields_)

    def to_marcxml(self, *, namespace: bool = True) -> str:
        """The record as a MARCXML ``<record>`` element (MARC21 slim schema)."""
        return "".join(_xml_parts(self, namespace))


def _xml_parts(rec: MarcRecord, namespace: bool) -> Iterable[str]:
    yield f'<record xmlns="{MARC21_NS}">' if namespace else "<record>"
    yield f"<leader>{escape(_xml_safe(rec.leader))}</leader>"
    for f in rec.fields_:
        if f.data is not None:
            yield (
                f"<controlfield tag={quoteattr(f.tag)}>{escape(_xml_safe(f.data))}</controlfield>"
            )
            continue
        yield (
            f"<datafield tag={quoteattr(f.tag)} ind1={quoteattr(_xml_safe(f.ind1))}"
            f" ind2={quoteattr(_xml_safe(f.ind2))}>"
        )
        for code, value in f.subfields:
            yield (
                f"<subfield code={quoteattr(_xml_safe(code))}>{escape(_xml_safe(value))}</subfield>"
            )
        yield "</datafield>"
    yield "</record>"


def _xml_safe(s: str) -> str:
    """Replace characters XML 1.0 cannot carry (C0 controls) by U+FFFD."""
    if s.isprintable() or all(c in "\t\n\r" or c >= " " for c in s):
        return s
    return "".join(c if c in "\t\n\r" or c >= " " else "\ufffd" for c in s)
