"""Reading a search from the query string, and writing it back into links.

One parser serves the pages and the JSON API, so both accept the same parameters and
reject the same bad values. A bad value raises ``ParamError`` naming the parameter, the
value and what was expected; the API shows that message word for word, the pages show
a translated one naming the parameter.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from werkzeug.datastructures import MultiDict

from indexer.backends.base import SORTS, SearchQuery
from search_ui.i18n import decade_start

DEFAULT_SIZE = 20
MAX_SIZE = 100
MAX_WINDOW = 10_000  # page * size: the deepest result an engine returns
MAX_YEAR = 9999
FILTERS = ("library", "language", "type", "subject")
"""Multi-valued filters: several values of one filter widen, filters together narrow."""


class ParamError(ValueError):
    """A query-string parameter has a value Birlik cannot use."""

    def __init__(self, name: str, value: str, expected: str) -> None:
        self.name = name
        self.value = value
        self.expected = expected
        super().__init__(f"parameter {name!r} must be {expected}, not {value!r}")


@dataclass(frozen=True)
class SearchState:
    """The search a page shows: what the reader asked, before it becomes a ``SearchQuery``."""

    q: str = ""
    library: tuple[str, ...] = ()
    language: tuple[str, ...] = ()
    type: tuple[str, ...] = ()
    subject: tuple[str, ...] = ()
    decade: str = ""
    year_from: int | None = None
    year_to: int | None = None
    has_link: bool = False  # only works with an electronic copy
    sort: str = "relevance"
    page: int = 1
    size: int = DEFAULT_SIZE

    @property
    def has_filters(self) -> bool:
        return bool(
            self.library
            or self.language
            or self.type
            or self.subject
            or self.decade
            or self.year_from is not None
            or self.year_to is not None
            or self.has_link
        )

    @property
    def is_search(self) -> bool:
        """Whether anything was asked (else the home page shows)."""
        return bool(self.q.strip()) or self.has_filters

    def to_query(self, *, facets: bool = True) -> SearchQuery:
        year_from, year_to = self.year_from, self.year_to
        start = decade_start(self.decade) if self.decade else None
        if start is not None:
            year_from = start if year_from is None else max(year_from, start)
            year_to = start + 9 if year_to is None else min(year_to, start + 9)
        return SearchQuery(
            q=self.q.strip(),
            library=self.library,
            language=self.language,
            type=self.type,
            subject=self.subject,
            year_from=year_from,
            year_to=year_to,
            has_link=True if self.has_link else None,
            sort=self.sort,
            page=self.page,
            size=self.size,
            facets=facets,
        )

    def args(self, **changes: Any) -> dict[str, Any]:
        """Query-string arguments of this search with ``changes``; defaults are left out."""
        state = replace(self, **changes)
        out: dict[str, Any] = {}
        if state.q:
            out["q"] = state.q
        for name in FILTERS:
            values = getattr(state, name)
            if values:
                out[name] = list(values)
        for name in ("decade", "year_from", "year_to"):
            value = getattr(state, name)
            if value not in ("", None):
                out[name] = value
        if state.has_link:
            out["has_link"] = "true"
        if state.sort != "relevance":
            out["sort"] = state.sort
        if state.page != 1:
            out["page"] = state.page
        if state.size != DEFAULT_SIZE:
            out["size"] = state.size
        return out

    def adding(self, name: str, value: str) -> dict[str, Any]:
        """Arguments with one more filter value (back to page 1)."""
        if name == "decade":
            return self.args(decade=value, page=1)
        if name == "has_link":
            return self.args(has_link=True, page=1)
        values = getattr(self, name)
        return self.args(**{name: (*values, value) if value not in values else values}, page=1)

    def removing(self, name: str, value: str | None = None) -> dict[str, Any]:
        """Arguments without one filter value (or the whole filter), back to page 1."""
        if name == "has_link":
            return self.args(has_link=False, page=1)
        if name in ("decade", "year_from", "year_to"):
            return self.args(**{name: "" if name == "decade" else None}, page=1)
        return self.args(**{name: tuple(v for v in getattr(self, name) if v != value)}, page=1)

    def active_filters(self) -> list[tuple[str, str]]:
        """(name, value) of every filter in force, in display order."""
        out = [(name, v) for name in FILTERS for v in getattr(self, name)]
        if self.decade:
            out.append(("decade", self.decade))
        for name in ("year_from", "year_to"):
            value = getattr(self, name)
            if value is not None:
                out.append((name, str(value)))
        if self.has_link:
            out.append(("has_link", "true"))
        return out


def parse_search(args: Mapping[str, Any], libraries: Iterable[str]) -> SearchState:
    """Read a search from query-string ``args`` (a ``MultiDict``); raise ``ParamError``."""
    md = args if isinstance(args, MultiDict) else MultiDict(args)
    known_libraries = tuple(libraries)
    q = md.get("q", "")
    filters: dict[str, tuple[str, ...]] = {}
    for name in FILTERS:
        values = tuple(dict.fromkeys(v.strip() for v in md.getlist(name) if v.strip()))
        filters[name] = values
    for lib in filters["library"]:
        if lib not in known_libraries:
            raise ParamError("library", lib, "one of " + ", ".join(known_libraries))
    decade = md.get("decade", "").strip()
    if decade and decade_start(decade) is None:
        raise ParamError("decade", decade, "a decade such as 1990s")
    year_from = _int(md, "year_from", 0, MAX_YEAR, "a year from 0 to 9999")
    year_to = _int(md, "year_to", 0, MAX_YEAR, "a year from 0 to 9999")
    if year_from is not None and year_to is not None and year_from > year_to:
        raise ParamError("year_to", str(year_to), f"a year not before year_from ({year_from})")
    has_link = md.get("has_link", "").strip()
    if has_link not in ("", "true"):
        raise ParamError("has_link", has_link, "true")
    sort = md.get("sort", "").strip() or "relevance"
    if sort not in SORTS:
        raise ParamError("sort", sort, "one of " + ", ".join(SORTS))
    size = _int(md, "size", 1, MAX_SIZE, f"a whole number from 1 to {MAX_SIZE}")
    size = size if size is not None else DEFAULT_SIZE
    last_page = MAX_WINDOW // size
    page = _int(md, "page", 1, last_page, f"a whole number from 1 to {last_page}")
    return SearchState(
        q=q,
        library=filters["library"],
        language=filters["language"],
        type=filters["type"],
        subject=filters["subject"],
        decade=decade,
        year_from=year_from,
        year_to=year_to,
        has_link=has_link == "true",
        sort=sort,
        page=page if page is not None else 1,
        size=size,
    )


def _int(md: MultiDict[str, str], name: str, low: int, high: int, expected: str) -> int | None:
    raw = md.get(name, "").strip()
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit()) or not low <= int(raw) <= high:
        raise ParamError(name, raw, expected)
    return int(raw)
