"""The librarians' duplicate review: the queue, one cluster side by side, decisions."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue

from search_ui.auth import require_login

bp = Blueprint("librarian", __name__)
bp.before_request(require_login)


@bp.route("/")
def queue() -> ResponseReturnValue:
    return render_template("librarian/queue.html")
