"""What the source does not say but the text shows: the script of each field (ISO 15924)
and the language of records that carry no language code.

Scripts come from Unicode character properties: a fast range check covers Latin,
Cyrillic, Greek, Arabic, Armenian, Georgian and Hebrew, the scripts of our catalogues; other
letters are named by ICU (``icu.Script``). Languages come from ``lingua`` restricted to
the languages our libraries hold; the detector is built once, on first use, because
loading its models takes seconds. Every detected value is marked in ``Record.detected``.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache
from typing import Any

import icu

# Ranges of the scripts we meet, in the order records usually use them.
_RANGES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("Latn", re.compile(r"[A-Za-z\u00c0-\u024f\u1e00-\u1eff]")),
    ("Cyrl", re.compile(r"[\u0400-\u052f\u1c80-\u1c8f\u2de0-\u2dff\ua640-\ua69f]")),
    ("Grek", re.compile(r"[\u0370-\u03ff\u1f00-\u1fff]")),
    ("Arab", re.compile(r"[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")),
    ("Armn", re.compile(r"[\u0530-\u058f]")),
    ("Geor", re.compile(r"[\u10a0-\u10ff]")),
    ("Hebr", re.compile(r"[\u0590-\u05ff]")),
)
# Latin and Cyrillic letters as runs: the summed length of the runs counts the letters
# (a list of a few words rather than one of every letter)
_LATN_RUN = re.compile(_RANGES[0][1].pattern + "+")
_CYRL_RUN = re.compile(_RANGES[1][1].pattern + "+")
_ASCII_LETTER = re.compile(r"[A-Za-z]")
# a character the full count below could count as something but Latin or Cyrillic: not
# ASCII, Latin or Cyrillic, and not one ``_KNOWN`` drops uncounted (IPA "ə" among them)
_BEYOND_LATN_CYRL = re.compile(r"[^\x00-\u036f\u0400-\u052f\u1e00-\u1eff\u2000-\u2bff]")
_KNOWN = re.compile(
    r"[\x00-\x40\x5b-\x60\x7b-\u00bf\u00d7\u00f7A-Za-z\u00c0-\u058f\u0590-\u06ff"
    r"\u0750-\u077f\u10a0-\u10ff\u1c80-\u1c8f\u1e00-\u1fff\u2000-\u2bff\u2de0-\u2dff"
    r"\ua640-\ua69f\ufb50-\ufdff\ufe70-\ufeff]+"
)


@lru_cache(maxsize=4096)
def _icu_script(ch: str) -> str:
    code = icu.Script.getScript(ord(ch))
    short: str = icu.Script.getShortName(code)
    return short if short not in ("Zyyy", "Zinh", "Zzzz") else ""


def scripts_of(text: str) -> list[str]:
    """ISO 15924 codes of the scripts ``text`` is written in, most common first."""
    if not text:
        return []
    if text.isascii():
        return ["Latn"] if _ASCII_LETTER.search(text) else []
    if not _BEYOND_LATN_CYRL.search(text):  # the usual case: no ICU, little counting
        latn = _RANGES[0][1].search(text) is not None
        cyrl = _RANGES[1][1].search(text) is not None
        if not (latn and cyrl):
            return ["Latn"] if latn else ["Cyrl"] if cyrl else []
        nl = sum(map(len, _LATN_RUN.findall(text)))
        nc = sum(map(len, _CYRL_RUN.findall(text)))
        return ["Cyrl", "Latn"] if nc > nl else ["Latn", "Cyrl"]
    counts: dict[str, int] = {}
    for code, rx in _RANGES:
        n = len(rx.findall(text))
        if n:
            counts[code] = n
    rest = _KNOWN.sub("", text)
    for ch in rest:
        if ch.isalpha():
            code = _icu_script(ch)
            if code:
                counts[code] = counts.get(code, 0) + 1
    return sorted(counts, key=lambda c: -counts[c])


def record_scripts(texts: list[str]) -> list[str]:
    """Scripts of a record's searchable texts (title, names, subjects …), most used first."""
    return scripts_of(" ".join(t for t in texts if t))


# --- language -----------------------------------------------------------------------------

# The languages our catalogues hold (lingua has no Uzbek or Kyrgyz model); ISO 639-2/B.
LANGUAGES = {
    "KAZAKH": "kaz",
    "AZERBAIJANI": "aze",
    "RUSSIAN": "rus",
    "ENGLISH": "eng",
    "TURKISH": "tur",
    "UKRAINIAN": "ukr",
    "GERMAN": "ger",
    "FRENCH": "fre",
    "MONGOLIAN": "mon",
    "ARABIC": "ara",
    "PERSIAN": "per",
}
MIN_CHARS = 12  # shorter texts give guesses, not detections
MIN_CONFIDENCE = 0.5

_lock = threading.Lock()
_detector: Any = None


def detector() -> Any:
    """The lingua detector, built once on first use."""
    global _detector
    if _detector is None:
        with _lock:
            if _detector is None:
                from lingua import Language, LanguageDetectorBuilder

                langs = [getattr(Language, name) for name in LANGUAGES]
                # models load lazily, per language, when a text needs them: a catalogue
                # where most records state their language never waits for all of them
                _detector = LanguageDetectorBuilder.from_languages(*langs).build()
    return _detector


@lru_cache(maxsize=8192)
def detect_language(text: str) -> str:
    """The ISO 639-2/B code of the language ``text`` is written in, or "" when unsure."""
    text = " ".join(text.split())
    if sum(ch.isalpha() for ch in text) < MIN_CHARS:
        return ""
    values = detector().compute_language_confidence_values(text)
    if not values:
        return ""
    best = values[0]
    if best.value < MIN_CONFIDENCE:
        return ""
    return LANGUAGES.get(best.language.name, "")
