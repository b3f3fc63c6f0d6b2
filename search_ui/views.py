"""What every template can use: the current language, names in it, safe highlights, links.

Record metadata is never trusted: templates autoescape it, and highlights (the one piece of
HTML that comes from the index) are rebuilt here so that only ``<mark>`` survives.
"""

from __future__ import annotations

import html
import re
import sqlite3
from collections.abc import Iterable
from typing import Any

from flask import Flask, current_app, g, request, url_for
from markupsafe import Markup, escape
from werkzeug.routing import BuildError

from harvester.sqlite import connect
from indexer.record import Record
from search_ui import i18n
from search_ui.app import Services

_MARK = re.compile(r"(</?mark>)")


def services() -> Services:
    svc: Services = current_app.extensions["birlik"]
    return svc


def marked(fragment: str | None, fallback: str = "") -> Markup:
    """A highlight as safe HTML: every character escaped except ``<mark>`` and ``</mark>``.

    The index already escapes its highlights; unescaping and escaping again keeps text right
    and makes a broken or hostile highlight harmless.
    """
    if not fragment:
        return escape(fallback)
    out: list[Markup | str] = []
    depth = 0
    for part in _MARK.split(fragment):
        if part == "<mark>":
            if depth == 0:
                out.append(Markup("<mark>"))
            depth += 1
        elif part == "</mark>":
            if depth == 1:
                out.append(Markup("</mark>"))
            depth = max(depth - 1, 0)
        else:
            out.append(escape(html.unescape(part)))
    if depth:
        out.append(Markup("</mark>"))
    return Markup("").join(out)


def full_title(record: Record) -> str:
    parts = [record.title or record.subtitle or record.id]
    if record.title and record.subtitle:
        parts.append(record.subtitle)
    text = " : ".join(parts)
    return f"{text}. {record.volume}" if record.volume else text


def lang_url(lang: str) -> str:
    """The current page in another language, with the same search."""
    args: dict[str, Any] = request.args.to_dict(flat=False)
    args["lang"] = [lang]
    endpoint = request.endpoint or "pages.search"
    values: dict[str, Any] = dict(request.view_args or {})
    try:
        return url_for(endpoint, **values, **args)
    except BuildError:  # an error page with no endpoint of its own
        return url_for("pages.search", lang=lang)


def state_conn() -> sqlite3.Connection | None:
    """A read-only connection to the state database for this request, or None."""
    path = services().state_db_path
    if path is None or not path.exists():
        return None
    if "state_conn" not in g:
        g.state_conn = connect(path, readonly=True)
    conn: sqlite3.Connection = g.state_conn
    return conn


def join(values: Iterable[Any], sep: str = "; ") -> str:
    return sep.join(str(v) for v in values if v)


def init_app(app: Flask) -> None:
    app.add_template_filter(i18n.field_label, "field_label")
    app.add_template_filter(i18n.language_name, "language_name")
    app.add_template_filter(i18n.script_name, "script_name")

    @app.context_processor
    def _globals() -> dict[str, Any]:
        lang = i18n.current_lang()
        return {
            "lang": lang,
            "langs": [(code, i18n.NATIVE_NAMES[code]) for code in i18n.LANGS],
            "lang_url": lang_url,
            "library_name": i18n.library_name,
            "library_abbr": i18n.library_abbr,
            "language_name": i18n.language_name,
            "type_label": i18n.type_label,
            "decade_label": i18n.decade_label,
            "marked": marked,
            "full_title": full_title,
            "join": join,
        }
