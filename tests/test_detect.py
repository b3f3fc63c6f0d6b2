"""Script and language detection: scripts per field, languages only when the record is silent."""

from __future__ import annotations

import pytest

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
