"""The librarians' duplicate review: the queue, one cluster side by side, decisions.

Every page needs a signed-in librarian (``require_login`` on the whole blueprint) and every
form a CSRF token (``CSRFProtect``). A decision is stored with who and when, re-clusters the
records around it and re-indexes them at once (``indexer.pipeline.apply_decision``), so the
search shows it immediately; it wins over automatic matching on every later run, including
``birlik index --rebuild``. If the search engine cannot take the write (it is down), the
decision is stored all the same and the next index run writes it: the librarian is told so
instead of getting an error page.

Actions: *confirm* (must-link every member to the preferred record), *split* one record out
(cannot-link it to every other member), *merge* with another cluster (must-link the two
preferred records).
"""

from __future__ import annotations

import logging
import math
import sqlite3
from datetime import UTC, datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import format_datetime
from flask_babel import gettext as _

from harvester.store import StateDB
from indexer.errors import BackendError
from search_ui import review
from search_ui.auth import current_librarian, require_login
from search_ui.views import services, state_conn

log = logging.getLogger("birlik.ui.librarian")

bp = Blueprint("librarian", __name__)
bp.before_request(require_login)

PAGE_SIZE = 50
NOTE_MAX = 500
ACTIONS = ("confirm", "split", "merge")


def _conn() -> sqlite3.Connection:
    conn = state_conn()
    if conn is None or not review.has_dedup_tables(conn):
        abort(503, "the catalogue has not been indexed yet")
    return conn


@bp.route("/")
def queue() -> ResponseReturnValue:
    conn = state_conn()
    items = review.queue(conn) if conn is not None else []
    last = max(1, math.ceil(len(items) / PAGE_SIZE))
    try:
        page = min(max(1, int(request.args.get("page", "1"))), last)
    except ValueError:
        page = 1
    shown = items[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    if conn is not None:
        shown = review.with_titles(conn, shown)
    return render_template(
        "librarian/queue.html",
        items=shown,
        total=len(items),
        to_review=sum(not i.confirmed for i in items),
        page=page,
        last=last,
    )


@bp.route("/clusters/<path:cluster_id>")
def cluster(cluster_id: str) -> ResponseReturnValue:
    conn = _conn()
    members = review.cluster_members(conn, cluster_id)
    if not members:
        abort(404)
    records = [r for m in members if (r := review.load_record(conn, m)) is not None]
    decisions = [(d, format_datetime(_utc(d.at), "medium")) for d in review.history(conn, members)]
    return render_template(
        "librarian/cluster.html",
        cluster_id=cluster_id,
        records=records,
        rows=review.compare(records),
        pairs=review.pairs(conn, members),
        related=[
            (p, review.cluster_of(conn, p.b if p.a in members else p.a))
            for p in review.related_outside(conn, members)
        ],
        decisions=decisions,
        note_max=NOTE_MAX,
    )


def _utc(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, UTC)


@bp.route("/clusters/<path:cluster_id>/decide", methods=["POST"])
def decide(cluster_id: str) -> ResponseReturnValue:
    """Apply confirm / split / merge to the cluster as the form saw it."""
    conn = _conn()
    action = request.form.get("action", "")
    note = request.form.get("note", "").strip()[:NOTE_MAX]
    members = review.cluster_members(conn, cluster_id)
    back = url_for("librarian.cluster", cluster_id=cluster_id)
    if action not in ACTIONS:
        abort(400)
    if len(members) < (1 if action == "merge" else 2):
        flash(_("This cluster has changed since the page was loaded; nothing was done."), "error")
        return redirect(url_for("librarian.queue"))
    shown = request.form.getlist("member")
    if shown and sorted(shown) != sorted(members):
        flash(_("This cluster has changed since the page was loaded; nothing was done."), "error")
        return redirect(back)
    preferred = members[0]
    if action == "confirm":
        kind, pairs = "must_link", [(preferred, m) for m in members[1:]]
        message = _("Confirmed: these records are one work.")
    elif action == "split":
        out = request.form.get("record", "")
        if out not in members:
            flash(_("That record is not in this cluster; nothing was done."), "error")
            return redirect(back)
        kind, pairs = "cannot_link", [(out, m) for m in members if m != out]
        message = _("The record was split out of the cluster.")
    else:
        other = _resolve(conn, request.form.get("other", "").strip())
        if other is None or other == cluster_id:
            flash(_("Give the identifier of another record or cluster; nothing was done."), "error")
            return redirect(back)
        kind, pairs = "must_link", [(preferred, review.cluster_members(conn, other)[0])]
        message = _("The two clusters were merged.")
    who = current_librarian() or "?"
    indexed = _apply(kind, pairs, action, who, note)
    flash(message, "success")
    if not indexed:
        flash(
            _(
                "The decision was saved, but the search index could not be updated just now:"
                " the search will show it after the next index run."
            ),
            "warning",
        )
    # The cluster id stays with the bigger part; follow the preferred record when it moved.
    follow = preferred if action != "split" or request.form["record"] != preferred else members[1]
    fresh = state_conn()
    now = review.cluster_of(fresh, follow) if fresh is not None else None
    return redirect(url_for("librarian.cluster", cluster_id=now or cluster_id))


def _resolve(conn: sqlite3.Connection, ident: str) -> str | None:
    """A cluster id from a record id or a cluster id."""
    if not ident:
        return None
    if review.cluster_members(conn, ident):
        return ident
    return review.cluster_of(conn, ident)


def _apply(kind: str, pairs: list[tuple[str, str]], action: str, who: str, note: str) -> bool:
    """Store the decision and re-index what moved; False when only the index write failed.

    ``apply_decision`` commits the decision and its re-clustering before it touches the
    search backend, and nothing before that commit raises ``BackendError`` (state-database
    failures are ``sqlite3.Error`` / ``StoreError``, which still end in an error page). So a
    ``BackendError`` here means the decision is stored and its records carry new revisions
    that the next ``birlik index`` writes.
    """
    from indexer.pipeline import apply_decision

    svc = services()
    if svc.state_db_path is None:
        abort(503)
    with StateDB(svc.state_db_path) as db:
        try:
            affected = apply_decision(db, svc.backend, kind, pairs, action, who, note)
        except BackendError as e:
            log.warning(
                "%s by %s on %s stored, but the search index was not updated (%s);"
                " the next index run writes it",
                action,
                who,
                pairs,
                e,
                exc_info=True,
            )
            return False
    log.info("%s by %s on %s: %d records re-indexed", action, who, pairs, len(affected))
    return True
