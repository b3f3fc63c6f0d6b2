"""Errors as readers and scripts see them: a page in the current language, or JSON.

Under ``/api`` every error is ``{"error": {"code", "message"}}`` with its status; the
messages are pinned word for word by tests (scripts read them). Elsewhere the reader gets
the error page in their language. Neither ever shows a stack trace.
"""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from indexer.errors import BackendError, QueryError
from search_ui.params import ParamError

log = logging.getLogger("birlik.ui")
UNAVAILABLE = "the search index is not available; try again later"


class NotFound(Exception):
    """A record id the index does not hold."""

    def __init__(self, record_id: str) -> None:
        self.record_id = record_id
        super().__init__(f"no record with id {record_id!r}")


def api_error(status: int, code: str, message: str) -> tuple[Response, int]:
    return jsonify({"error": {"code": code, "message": message}}), status


def _is_api() -> bool:
    return request.path == "/api" or request.path.startswith("/api/")


def _page(status: int, title: str, message: str) -> tuple[str, int]:
    return render_template("error.html", status=status, title=title, message=message), status


def init_app(app: Flask) -> None:
    @app.errorhandler(ParamError)
    def _param(e: ParamError) -> ResponseReturnValue:
        if _is_api():
            return api_error(400, "bad_parameter", str(e))
        return _page(
            400,
            _("This search cannot be run"),
            _("The value of the parameter “%(name)s” cannot be used.", name=e.name),
        )

    @app.errorhandler(QueryError)
    def _query(e: QueryError) -> ResponseReturnValue:
        if _is_api():
            return api_error(400, "bad_query", str(e))
        return _page(
            400,
            _("This search cannot be run"),
            _("The search text could not be read. Try fewer or simpler words."),
        )

    @app.errorhandler(NotFound)
    def _not_found(e: NotFound) -> ResponseReturnValue:
        if _is_api():
            return api_error(404, "not_found", str(e))
        return _page(404, _("Record not found"), _("There is no record with this identifier."))

    @app.errorhandler(BackendError)
    def _backend(e: BackendError) -> ResponseReturnValue:
        log.error("search backend failed on %s: %s", request.path, e)
        if _is_api():
            return api_error(503, "unavailable", UNAVAILABLE)
        return _page(
            503,
            _("The catalogue is not available"),
            _("The search index cannot be reached just now. Please try again later."),
        )

    @app.errorhandler(HTTPException)
    def _http(e: HTTPException) -> ResponseReturnValue:
        status = e.code or 500
        if _is_api():
            if status == 404:
                return api_error(404, "not_found", f"no such API endpoint: {request.path}")
            if status == 405:
                return api_error(
                    405, "method_not_allowed", f"method {request.method} is not allowed; use GET"
                )
            return api_error(status, "bad_request", e.name.lower())
        if status == 404:
            return _page(404, _("Page not found"), _("There is no page at this address."))
        if status == 405:
            return _page(405, _("Not allowed"), _("This address cannot be used this way."))
        return _page(status, _("Something went wrong"), _("The request could not be handled."))

    @app.errorhandler(Exception)
    def _internal(e: Exception) -> ResponseReturnValue:
        log.exception("unhandled error on %s", request.path)
        if _is_api():
            return api_error(500, "internal_error", "an internal error occurred")
        return _page(500, _("Something went wrong"), _("The request could not be handled."))
