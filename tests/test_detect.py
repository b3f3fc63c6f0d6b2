"""Script and language detection: scripts per field, languages only when the record is silent."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer import detect
from indexer.detect import detect_language, record_scripts, scripts_of


@pytest.mark.parametrize(
    ("text", "scripts"),
    [
        ("Абай жолы", ["Cyrl"]),
        ("Abai joly", ["Latn"]),
        ("Məmmədquluzadə", ["Latn"]),
        ("Мәммәдгулузадә", ["Cyrl"]),
        ("Қазақ әдебиеті тарихы / Kazakh literature", ["Cyrl", "Latn"]),
        ("Ελληνικά", ["Grek"]),
        ("العربية", ["Arab"]),
        ("中文书名", ["Hani"]),
        ("ქართული", ["Geor"]),
        ("1997 — 2005", []),
        ("", []),
    ],
)
def test_scripts_of(text: str, scripts: list[str]) -> None:
    assert scripts_of(text) == scripts


def full_count(text: str) -> list[str]:
    """scripts_of without its shortcuts: every range counted, the rest named by ICU."""
    counts: dict[str, int] = {}
    for code, rx in detect._RANGES:
        if n := len(rx.findall(text)):
            counts[code] = n
    for ch in detect._KNOWN.sub("", text):
        if ch.isalpha() and (code := detect._icu_script(ch)):
            counts[code] = counts.get(code, 0) + 1
    return sorted(counts, key=lambda c: -counts[c])


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("aZ əɐʰ́ аЖәӘ1.,-—×Ωא中")) | st.characters()))
def test_shortcuts_count_as_the_full_count(text: str) -> None:
    """Latin and Cyrillic text (ASCII letters, IPA "ə" and all) takes a shortcut that must
    give what counting every letter gives, ties included."""
    assert scripts_of(text) == full_count(text)


def test_record_scripts_most_used_first() -> None:
    assert record_scripts(["Абай жолы", "Auezov, M.", "", "Қазақ әдебиеті"]) == ["Cyrl", "Latn"]


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Абай жолы. Бірінші кітап. Қазақ әдебиетінің інжу-маржаны", "kaz"),
        ("Azərbaycan ədəbiyyatı tarixi: üç cilddə", "aze"),
        ("История Казахстана с древнейших времён до наших дней", "rus"),
        ("A history of the Kazakh steppe in the nineteenth century", "eng"),
        ("Türk edebiyatı tarihi üzerine incelemeler", "tur"),
    ],
)
def test_detect_language(text: str, code: str) -> None:
    assert detect_language(text) == code


def test_too_short_to_tell() -> None:
    assert detect_language("Абай") == ""
    assert detect_language("1997") == ""
