"""Record type (``Record.type``) from the MARC21 or UNIMARC leader, or a DC type term.

MARC21 and UNIMARC share leader/06 (type of record) and leader/07 (bibliographic level)
with mostly the same letters; where they differ (UNIMARC "b" manuscript text, "c"/"d"
scores) the table for the format is used. Unknown codes give "" rather than a guess.
"""

from __future__ import annotations

_MARC21_06 = {
    "a": "book",
    "t": "manuscript",
    "c": "score",
    "d": "score",
    "e": "map",
    "f": "map",
    "g": "video",
    "i": "recording",
    "j": "recording",
    "k": "image",
    "m": "electronic",
    "o": "kit",
    "p": "mixed",
    "r": "other",
}
_UNIMARC_06 = {
    "a": "book",
    "b": "manuscript",
    "c": "score",
    "d": "score",
    "e": "map",
    "f": "map",
    "g": "video",
    "i": "recording",
    "j": "recording",
    "k": "image",
    "l": "electronic",
    "m": "mixed",
    "r": "other",
}
_SERIAL_07 = {"s", "i"}  # serial, integrating resource
_PART_07 = {"a", "b"}  # component part (monographic / serial)

_DC_TYPES = {
    "text": "book",
    "book": "book",
    "monograph": "book",
    "thesis": "book",
    "doctoral thesis": "book",
    "master thesis": "book",
    "report": "book",
    "working paper": "book",
    "technical report": "book",
    "inaugural address": "book",
    "book chapter": "article",
    "bookpart": "article",
    "article": "article",
    "journal article": "article",
    "preprint": "article",
    "conference paper": "article",
    "conference object": "article",
    "review": "article",
    "journal": "serial",
    "periodical": "serial",
    "serial": "serial",
    "map": "map",
    "cartographic material": "map",
    "score": "score",
    "musical score": "score",
    "sound": "recording",
    "audio": "recording",
    "sound recording": "recording",
    "moving image": "video",
    "video": "video",
    "film": "video",
    "image": "image",
    "stillimage": "image",
    "still image": "image",
    "photograph": "image",
    "dataset": "electronic",
    "software": "electronic",
    "interactive resource": "electronic",
    "manuscript": "manuscript",
    "physical object": "other",
    "collection": "mixed",
}


def type_from_leader(leader: str, *, unimarc: bool = False) -> str:
    """The record type for a MARC leader (MARC21 or UNIMARC), "" when it says nothing."""
    if len(leader) < 8:
        return ""
    t6, t7 = leader[6], leader[7]
    table = _UNIMARC_06 if unimarc else _MARC21_06
    base = table.get(t6, "")
    if base in ("book", "manuscript") and t7 in _SERIAL_07:
        return "serial"
    if base == "book" and t7 in _PART_07:
        return "article"
    return base


def type_from_dc(values: list[str]) -> str:
    """The record type for dc:type terms (DCMI type vocabulary and the usual repository
    terms such as "Article" or "Doctoral thesis"), the most specific one found."""
    found = ""
    for v in values:
        key = v.strip().lower().rstrip(".")
        key = key.rsplit("/", 1)[-1] if key.startswith("info:eu-repo") else key
        t = _DC_TYPES.get(key) or _DC_TYPES.get(key.replace("_", " "), "")
        if t and (not found or found == "book"):
            found = t
    return found
