"""Script-neutral text keys (PLACEHOLDER implementation; the real tables come with issue 3).

``search_key(text)`` returns space-separated tokens, the same whatever script or
romanisation ``text`` was written in. Records and readers' queries go through the same
function, so a query finds a record in any script.
"""

from __future__ import annotations

import re
from functools import lru_cache

import icu

_TRANS = icu.Transliterator.createInstance("Any-Latin; Latin-ASCII; Lower")
_WORD = re.compile(r"[0-9a-z]+")


@lru_cache(maxsize=65536)
def _fold(text: str) -> str:
    return _TRANS.transliterate(text)


def search_key(text: str) -> str:
    """Space-separated, script-neutral tokens of ``text``."""
    return " ".join(_WORD.findall(_fold(text)))


def tokens(text: str) -> list[str]:
    return _WORD.findall(_fold(text))
