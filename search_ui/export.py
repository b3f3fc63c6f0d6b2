"""Export of one record: ``/export/<format>/<record id>`` as a download."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Blueprint, Response, abort

from search_ui import formats
from search_ui.records import Work, load_work
from search_ui.views import services

bp = Blueprint("export", __name__)


@dataclass(frozen=True)
class Format:
    label: str  # the same in every language: these are the formats' own names
    mimetype: str
    extension: str
    write: Callable[[Work], str]


FORMATS: dict[str, Format] = {
    "marcxml": Format(
        "MARCXML", "application/marcxml+xml", "xml", lambda w: formats.to_marcxml(w.record)
    ),
    "oai_dc": Format("oai_dc", "application/xml", "xml", lambda w: formats.to_oai_dc(w.record)),
    "json": Format(
        "JSON", "application/json", "json", lambda w: formats.to_json(w.record, w.holdings)
    ),
    "ris": Format(
        "RIS", "application/x-research-info-systems", "ris", lambda w: formats.to_ris(w.record)
    ),
    "bibtex": Format(
        "BibTeX", "application/x-bibtex", "bib", lambda w: formats.to_bibtex(w.record)
    ),
}


@bp.get("/export/<fmt>/<path:record_id>")
def export(fmt: str, record_id: str) -> Response:
    spec = FORMATS.get(fmt)
    if spec is None:
        abort(404)
    work = load_work(services().backend, record_id)
    filename = f"{formats.bibtex_key(work.record)}.{spec.extension}"
    return Response(
        spec.write(work),
        content_type=f"{spec.mimetype}; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
