"""The Flask app factory (flaskr's pattern): configuration, services, blueprints, headers.

``create_app(config)`` opens the configured search backend; tests pass their own
``backend`` and ``state_db``. The UI needs no JavaScript: every feature is a link or a
form, and the Content-Security-Policy forbids scripts outright.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Flask, Response, g, request
from flask_babel import Babel

from harvester.config import Config, SourceConfig
from harvester.store import StateDB
from indexer.backends.base import SearchBackend
from search_ui import i18n

log = logging.getLogger("birlik.ui")

CSP = (
    "default-src 'none'; script-src 'none'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}
COOKIE_MAX_AGE = 365 * 24 * 3600


@dataclass
class Services:
    """What the views use, kept in ``app.extensions["birlik"]``."""

    backend: SearchBackend
    sources: tuple[SourceConfig, ...]
    state_db_path: Path | None = None
    config: Config | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def library_keys(self) -> tuple[str, ...]:
        return tuple(s.key for s in self.sources)


def create_app(
    config: Config | None = None,
    *,
    backend: SearchBackend | None = None,
    state_db: StateDB | Path | str | None = None,
) -> Flask:
    """Build the UI and API for ``config`` (its backend and state database unless given)."""
    if backend is None:
        if config is None:
            raise ValueError("create_app needs a config or a backend")
        from indexer.backends import get_backend

        backend = get_backend(config)
    if state_db is None and config is not None:
        state_db = config.state_db
    db_path = state_db.path if isinstance(state_db, StateDB) else state_db

    from search_ui import catalogues

    catalogues.ensure_compiled()
    app = Flask("search_ui")
    app.config.update(
        BABEL_DEFAULT_LOCALE=i18n.DEFAULT_LANG,
        MAX_CONTENT_LENGTH=64 * 1024,
    )
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.extensions["birlik"] = Services(
        backend=backend,
        sources=config.sources if config is not None else (),
        state_db_path=Path(db_path) if db_path is not None else None,
        config=config,
    )
    Babel(app, locale_selector=i18n.select_locale)
    app.add_template_filter(i18n.number, "number")  # counts grouped as each language does

    from search_ui import api, auth, errors, export, gaps_view, librarian, pages, views

    app.register_blueprint(pages.bp)
    app.register_blueprint(export.bp)
    app.register_blueprint(api.bp, url_prefix="/api")
    auth.init_app(app, config)  # session key, cookies, CSRF on every form, /login, /logout
    app.register_blueprint(librarian.bp, url_prefix="/librarian")
    app.register_blueprint(gaps_view.bp, url_prefix="/librarian")
    errors.init_app(app)
    views.init_app(app)
    from search_ui import health, operator

    health.init_app(app)  # /healthz, /metrics and the search timing hooks
    operator.init_app(app)  # /operator (librarians only)

    @app.after_request
    def _headers(response: Response) -> Response:
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        asked = request.args.get("lang")
        if asked in i18n.LANGS and request.cookies.get(i18n.COOKIE) != asked:
            response.set_cookie(
                i18n.COOKIE, asked, max_age=COOKIE_MAX_AGE, samesite="Lax", httponly=True
            )
        response.vary.add("Accept-Language")
        response.vary.add("Cookie")
        return response

    @app.teardown_appcontext
    def _close(_exc: BaseException | None) -> None:
        conn = g.pop("state_conn", None)
        if conn is not None:
            conn.close()

    return app
