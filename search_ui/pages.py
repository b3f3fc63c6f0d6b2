"""The reader's pages: home and search, record, about, and the OpenSearch description."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Response, render_template, request, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _

from indexer.backends.base import FacetValue, SearchResult
from search_ui import i18n
from search_ui.params import MAX_WINDOW, SearchState, parse_search
from search_ui.records import load_work
from search_ui.sourceview import source_view
from search_ui.views import services, state_conn

bp = Blueprint("pages", __name__)

FACET_ORDER = ("library", "has_link", "language", "type", "decade", "subject")
FACET_SHOWN = 12
_NO_FILTERS: dict[str, Any] = {
    "library": (),
    "language": (),
    "type": (),
    "subject": (),
    "decade": "",
    "year_from": None,
    "year_to": None,
    "has_link": False,
    "page": 1,
}
EXAMPLES = {  # example searches shown on the home page, in the reader's language
    "kk": ("Абай жолы", "Мұхтар Әуезов", "Жәмила"),
    "az": ("Abay yolu", "Nizami Gəncəvi", "Azərbaycan tarixi"),
    "ru": ("Путь Абая", "Лейли и Меджнун", "история Казахстана"),
    "en": ("Abai joly", "Nizami Ganjavi", "Aitmatov"),
}


@dataclass(frozen=True)
class FacetEntry:
    value: str
    label: str
    count: int
    selected: bool
    url: str


def _label(name: str, value: str) -> str:
    if name == "library":
        return i18n.library_name(value)
    if name == "language":
        return i18n.language_name(value)
    if name == "type":
        return i18n.type_label(value)
    if name == "decade":
        return i18n.decade_label(value)
    if name == "has_link":
        return _("With an electronic copy")
    return value


def _selected(state: SearchState, name: str, value: str) -> bool:
    if name == "decade":
        return value == state.decade
    if name == "has_link":
        return state.has_link
    return value in getattr(state, name)


def facet_entries(state: SearchResult, search: SearchState) -> list[tuple[str, list[FacetEntry]]]:
    out = []
    for name in FACET_ORDER:
        values: tuple[FacetValue, ...] = state.facets.get(name, ())
        if name == "decade":
            values = tuple(sorted(values, key=lambda v: v.value, reverse=True))
        if name == "has_link":
            values = tuple(v for v in values if v.value == "true")
        entries = []
        for fv in values[:FACET_SHOWN]:
            selected = _selected(search, name, fv.value)
            args = search.removing(name, fv.value) if selected else search.adding(name, fv.value)
            entries.append(
                FacetEntry(
                    fv.value,
                    _label(name, fv.value),
                    fv.count,
                    selected,
                    url_for("pages.search", **args),
                )
            )
        if entries:
            out.append((name, entries))
    return out


def facet_title(name: str) -> str:
    titles = {
        "library": _("Library"),
        "language": _("Language"),
        "type": _("Type"),
        "decade": _("Decade"),
        "subject": _("Subject"),
        "has_link": _("Electronic copy"),
        "year_from": _("From year"),
        "year_to": _("To year"),
    }
    return titles.get(name, name)


def _pages(search: SearchState, result: SearchResult) -> dict[str, Any]:
    """Links to the pages around this one.

    An estimated total may be off either way, so the hits decide where the pages end: while
    pages come back full there is a next one, a short page is the real last one, and a page
    past the real end (no hits, yet a total) ends the pager before it, with ``prev`` leading
    back to the last page that may hold results.
    """
    deepest = MAX_WINDOW // search.size
    last = max(1, min(math.ceil(result.total / search.size), deepest))
    past_end = not result.hits and result.total > 0
    if past_end:
        last = max(1, min(last, search.page - 1))
    elif not result.total_exact and len(result.hits) < search.size:
        last = search.page
    elif not result.total_exact and search.page >= last:
        last = min(search.page + 1, deepest)
    here = min(search.page, last)
    window = range(max(1, here - 3), min(last, here + 3) + 1)
    back = last if past_end else search.page - 1
    return {
        "last": last,
        "past_end": past_end,
        "back": back,
        "window": [(n, url_for("pages.search", **search.args(page=n))) for n in window],
        "prev": url_for("pages.search", **search.args(page=back)) if search.page > 1 else None,
        "next": url_for("pages.search", **search.args(page=search.page + 1))
        if search.page < last
        else None,
        "first": url_for("pages.search", **search.args(page=1)),
        "last_url": url_for("pages.search", **search.args(page=last)),
    }


def sort_labels() -> list[tuple[str, str]]:
    return [
        ("relevance", _("Relevance")),
        ("year_desc", _("Newest first")),
        ("year_asc", _("Oldest first")),
        ("title", _("Title A–Z")),
    ]


@bp.get("/")
def search() -> str:
    svc = services()
    state = parse_search(request.args, svc.library_keys)
    if not state.is_search:
        examples = EXAMPLES.get(i18n.current_lang(), EXAMPLES["en"])
        return render_template("home.html", state=state, examples=examples, total_records=_count())
    result = svc.backend.search(state.to_query())
    active = [
        (
            name,
            value,
            facet_title(name),
            _active_label(name, value),
            url_for("pages.search", **state.removing(name, value)),
        )
        for name, value in state.active_filters()
    ]
    return render_template(
        "search.html",
        state=state,
        result=result,
        facets=facet_entries(result, state),
        facet_title=facet_title,
        active=active,
        clear_url=url_for("pages.search", **state.args(**_NO_FILTERS)),
        pages=_pages(state, result),
        sorts=sort_labels(),
        hidden=_hidden_fields(state),
    )


def _active_label(name: str, value: str) -> str:
    return value if name in ("year_from", "year_to") else _label(name, value)


def _hidden_fields(state: SearchState) -> list[tuple[str, str]]:
    """The filters as hidden form fields, so changing the sort keeps them."""
    out: list[tuple[str, str]] = []
    for key, value in state.args(page=1, sort="relevance").items():
        if key == "q":
            continue
        for v in value if isinstance(value, list) else [value]:
            out.append((key, str(v)))
    return out


def _count() -> int | None:
    try:
        return services().backend.count()
    except Exception:  # the home page still shows without the figure
        return None


@bp.get("/records/<path:record_id>")
def record(record_id: str) -> str:
    work = load_work(services().backend, record_id)
    return render_template(
        "record.html",
        work=work,
        record=work.record,
        source=source_view(work.record),
        exports=_exports(record_id),
    )


def _exports(record_id: str) -> list[tuple[str, str]]:
    from search_ui.export import FORMATS

    return [
        (fmt.label, url_for("export.export", fmt=key, record_id=record_id))
        for key, fmt in FORMATS.items()
    ]


@bp.get("/about")
def about() -> str:
    svc = services()
    conn = state_conn()
    libraries = []
    for source in svc.sources:
        last = None
        if conn is not None:
            row = conn.execute(
                "SELECT ended FROM runs WHERE source=? AND status='ok' AND ended IS NOT NULL"
                " ORDER BY ended DESC LIMIT 1",
                (source.key,),
            ).fetchone()
            if row is not None:
                last = format_datetime(_utc(row["ended"]), "long")
        libraries.append((source.key, last))
    return render_template("about.html", libraries=libraries, total_records=_count())


def _utc(ts: float) -> Any:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(ts, UTC)


@bp.get("/opensearch.xml")
def opensearch() -> Response:
    body = render_template("opensearch.xml", base=request.url_root.rstrip("/"))
    return Response(body, mimetype="application/opensearchdescription+xml")
