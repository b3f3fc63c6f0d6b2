"""Gap lists for librarians (agreement 2.2): works library A holds and library B lacks.

The list is computed on duplicate clusters (``indexer.gaps``), so a work B holds in another
script still counts as held. The page shows the first rows and the count; the whole list
downloads as CSV (UTF-8 with BOM, for spreadsheets) or as MARCXML with the holder's records.
"""

from __future__ import annotations

import io
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Any

from flask import Blueprint, abort, render_template, request, send_file, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from indexer.gaps import GapFilter, GapRow, gap_clusters, gap_rows, write_csv, write_marcxml
from search_ui import i18n
from search_ui.auth import require_login
from search_ui.views import services, state_conn

bp = Blueprint("gaps", __name__)
bp.before_request(require_login)

SHOWN = 200
SPOOL_BYTES = 8 * 1024 * 1024
LANGUAGES = ("kaz", "aze", "rus", "eng")
FORMATS = {"csv": ("text/csv; charset=utf-8", "csv"), "marcxml": ("application/xml", "xml")}


@dataclass(frozen=True)
class GapQuery:
    have: str
    lack: str
    flt: GapFilter

    def args(self) -> dict[str, Any]:
        """The query as URL arguments (empty filters left out)."""
        f = self.flt
        out: dict[str, Any] = {"have": self.have, "lack": self.lack}
        extra = {
            "language": f.language,
            "type": f.type,
            "year_from": f.year_from,
            "year_to": f.year_to,
            "subject": f.subject,
        }
        out.update({k: v for k, v in extra.items() if v not in ("", None)})
        return out


class GapParamError(ValueError):
    """A gap-list parameter that cannot be used; the message is shown on the form."""


def _year(name: str) -> int | None:
    value = request.args.get(name, "").strip()
    if not value:
        return None
    if not value.isdigit() or len(value) > 4:
        raise GapParamError(_("The year must be a number such as 1995."))
    return int(value)


def parse_query(keys: tuple[str, ...]) -> GapQuery | None:
    """The query of this request, or None when the form has not been sent yet."""
    have = request.args.get("have", "")
    lack = request.args.get("lack", "")
    if not have and not lack:
        return None
    if have not in keys or lack not in keys:
        raise GapParamError(_("Choose two of the libraries."))
    if have == lack:
        raise GapParamError(_("Choose two different libraries."))
    flt = GapFilter(
        language=request.args.get("language", "").strip().lower(),
        type=request.args.get("type", "").strip(),
        year_from=_year("year_from"),
        year_to=_year("year_to"),
        subject=request.args.get("subject", "").strip(),
    )
    return GapQuery(have, lack, flt)


def rows(q: GapQuery) -> Iterator[GapRow]:
    conn = state_conn()
    if conn is None:
        return iter(())
    return gap_rows(gap_clusters(conn, q.have, q.lack), q.have, q.lack, q.flt)


@bp.route("/gaps")
def page() -> ResponseReturnValue:
    keys = services().library_keys
    error = ""
    query: GapQuery | None = None
    try:
        query = parse_query(keys)
    except GapParamError as e:
        error = str(e)
    shown: list[GapRow] = []
    total = 0
    if query is not None:
        found = rows(query)
        shown = list(islice(found, SHOWN))
        total = len(shown) + sum(1 for _ in found)
    form = request.args
    return render_template(
        "librarian/gaps.html",
        keys=keys,
        query=query,
        form=form,
        error=error,
        rows=shown,
        total=total,
        languages=LANGUAGES,
        types=tuple(i18n.TYPE_LABELS),
        downloads=[(fmt, url_for("gaps.download", fmt=fmt, **query.args())) for fmt in FORMATS]
        if query is not None
        else [],
    ), (400 if error else 200)


@bp.route("/gaps.<fmt>")
def download(fmt: str) -> ResponseReturnValue:
    if fmt not in FORMATS:
        abort(404)
    try:
        query = parse_query(services().library_keys)
    except GapParamError:
        abort(400)
    if query is None:
        abort(400)
    mimetype, ext = FORMATS[fmt]
    # Spooled: small lists stay in memory, a large one goes to a temporary file, so a
    # download of the whole catalogue never holds it all in memory.
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 - sent, then closed
    text = io.TextIOWrapper(spool, encoding="utf-8", newline="")
    (write_csv if fmt == "csv" else write_marcxml)(rows(query), text)
    text.flush()
    text.detach()
    spool.seek(0)
    name = f"gaps-{query.have}-not-{query.lack}.{ext}"
    return send_file(spool, mimetype=mimetype, as_attachment=True, download_name=name)
