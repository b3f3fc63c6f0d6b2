"""Normalisers: oai_dc, MARC21 (MARCXML, ISO 2709), UNIMARC/RUSMARC → ``Record``.

``normalise(raw)`` picks the mapping from the metadataPrefix and, when the prefix is
vague ("marc", a vendor's name) or unknown, from the record itself; runs its named steps
(see ``steps.py``); and ends with the steps every format shares: the scripts of the
searchable text and, for records without a language code, the language detected by
lingua (both marked in ``Record.detected``). Anything wrong raises ``NormaliseError``
naming the step and the record; nothing else escapes.
"""

from __future__ import annotations

from functools import lru_cache

from harvester.store import RawRecord
from indexer import detect
from indexer.errors import NormaliseError
from indexer.normalise import marc21, oai_dc, unimarc
from indexer.normalise.marc import MarcRecord
from indexer.normalise.marcxml import read_one
from indexer.normalise.steps import Context, Step, run_steps, step
from indexer.record import Record, record_id

__all__ = [
    "NormaliseError",
    "format_of_prefix",
    "normalise",
    "normalise_marc",
]

_DC_PREFIXES = {"oai_dc", "dc", "qdc", "oai_qdc", "dcterms"}
_UNIMARC_PREFIXES = {"unimarc", "rusmarc", "unimarc_xml", "rusmarc_xml", "marcxchange_unimarc"}


@lru_cache(maxsize=256)
def format_of_prefix(prefix: str) -> str:
    """'oai_dc', 'marc21', 'unimarc', 'rusmarc' or '' (decide from the record itself)."""
    p = prefix.strip().lower()
    if p in _DC_PREFIXES:
        return "oai_dc"
    if "rusmarc" in p:
        return "rusmarc"
    if p in _UNIMARC_PREFIXES or "unimarc" in p:
        return "unimarc"
    if p in ("marc21", "marcxml", "marc21_slim", "marc21slim", "usmarc") or "marc21" in p:
        return "marc21"
    return ""


@step("scripts")
def _scripts(ctx: Context) -> None:
    get = ctx.out.get
    texts = [get("title", ""), get("subtitle", ""), get("publisher", "")]
    if "authors" in ctx.out:
        texts += [a.name for a in get("authors", ())]
    texts += get("subjects", ())
    texts += get("alt_titles", ())
    scripts = detect.scripts_of(" ".join(texts))  # empty texts add only spaces
    if scripts:
        ctx.out["scripts"] = tuple(scripts)
        ctx.detected.append("scripts")


@step("detect_language")
def _language(ctx: Context) -> None:
    if ctx.out.get("languages"):
        return
    notes = ctx.out.get("notes", ())
    text = " ".join(
        [ctx.out.get("title", ""), ctx.out.get("subtitle", ""), notes[0][:300] if notes else ""]
    )
    code = detect.detect_language(text)
    if code:
        ctx.set("languages", [code])
        ctx.detected.append("languages")


def _finish(detect_language: bool) -> tuple[Step, ...]:
    return (_scripts, _language) if detect_language else (_scripts,)


# every mapping's steps with the shared ones, by (format, detect_language): built once
_STEPS: dict[tuple[str, bool], tuple[Step, ...]] = {
    (fmt, dl): steps + _finish(dl)
    for fmt, steps in (("marc21", marc21.STEPS), ("unimarc", unimarc.STEPS))
    for dl in (False, True)
}


def normalise_marc(
    rec: MarcRecord, raw: RawRecord, *, flavour: str = "", detect_language: bool = True
) -> Record:
    """Map an already parsed MARC record (MARC21 or UNIMARC/RUSMARC) to a ``Record``.

    ``flavour`` comes from the metadataPrefix; a record that plainly is UNIMARC (a 200
    title and no 245) is read as UNIMARC even under a "marc21" prefix.
    """
    found = unimarc.detect_marc_flavour(rec)
    if not flavour or (flavour == "marc21" and found == "unimarc" and rec.has("200")):
        flavour = found
    if flavour in ("unimarc", "rusmarc"):
        fmt = "rusmarc" if flavour == "rusmarc" or unimarc.is_rusmarc(rec) else "unimarc"
        steps = _STEPS["unimarc", detect_language]
    else:
        fmt, steps = "marc21", _STEPS["marc21", detect_language]
    ctx = Context(raw, fmt, rec, rec.index())
    return run_steps(ctx, steps)


def normalise(raw: RawRecord, *, detect_language: bool = True) -> Record:
    """The ``Record`` for one raw record; raises ``NormaliseError`` (step, reason, id)."""
    rid = record_id(raw.source, raw.identifier)
    if raw.deleted or not raw.xml:
        raise NormaliseError(
            "deleted record has no metadata" if raw.deleted else "record has no XML",
            step="select_format",
            record_id=rid,
        )
    fmt = format_of_prefix(raw.prefix)
    if not fmt:
        fmt = "oai_dc" if oai_dc.DC_NS in raw.xml[:2000] else ""
    try:
        if fmt == "oai_dc":
            ctx = Context(raw=raw, format="oai_dc", source=oai_dc.read_dc(raw.xml))
            return run_steps(ctx, oai_dc.STEPS + _finish(detect_language))
        rec = read_one(raw.xml)
    except NormaliseError as e:
        raise NormaliseError(e.reason, step=e.step, record_id=rid) from None
    except (ValueError, TypeError, LookupError) as e:  # lxml on odd input
        raise NormaliseError(f"{type(e).__name__}: {e}", step="parse_xml", record_id=rid) from e
    return normalise_marc(rec, raw, flavour=fmt, detect_language=detect_language)
