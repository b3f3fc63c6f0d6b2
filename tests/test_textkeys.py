"""Script-neutral text keys: equivalence classes that must meet, pairs that must stay apart."""

from __future__ import annotations

import pytest

from indexer.textkeys import search_key, tokens

DESIGN_EXAMPLE = ["Абай жолы", "Abai joly", "Abay yolu", "Abaj zholy", "Abay zholy"]


def test_design_example_meets() -> None:
    assert {search_key(t) for t in DESIGN_EXAMPLE} == {"abai jol"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1984", "1984"),
        ("Т. 2", "t 2"),
        ("", ""),
        ("Qazaqstan Respy'blikasy", "kazakstan respublikas"),
    ],
)
def test_basic_forms(text: str, expected: str) -> None:
    assert search_key(text) == expected
    assert tokens(text) == expected.split()
