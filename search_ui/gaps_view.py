"""Gap lists for librarians (agreement 2.2): works library A holds and library B lacks."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue

from search_ui.auth import require_login

bp = Blueprint("gaps", __name__)
bp.before_request(require_login)


@bp.route("/gaps")
def page() -> ResponseReturnValue:
    return render_template("librarian/gaps.html")
