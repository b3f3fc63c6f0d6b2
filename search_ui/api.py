"""The JSON API, exactly as DESIGN.md "Interfaces" states it (scripts depend on its shape).

``GET /api/search`` → ``{"total", "page", "size", "results", "facets"}``, one result per
duplicate cluster with every library's holding; ``GET /api/records/<id>`` → the record with
its holdings and its source. Errors are ``{"error": {"code", "message"}}`` (see errors.py).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request

from indexer.backends.base import Hit
from search_ui.params import parse_search
from search_ui.records import holdings_json, load_work
from search_ui.views import services

bp = Blueprint("api", __name__)

API_FACETS = ("library", "language", "type", "year")


def hit_json(hit: Hit) -> dict[str, Any]:
    r = hit.record
    return {
        "id": r.id,
        "title": r.title,
        "authors": list(r.author_names),
        "year": r.year,
        "languages": list(r.languages),
        "holdings": holdings_json(hit.holdings),
        "links": [{"url": link.url, "label": link.label} for link in r.links],
    }


@bp.get("/search")
def search() -> Response:
    svc = services()
    state = parse_search(request.args, svc.library_keys)
    result = svc.backend.search(state.to_query())
    return jsonify(
        {
            "total": result.total,
            "page": result.page,
            "size": result.size,
            "results": [hit_json(h) for h in result.hits],
            "facets": {
                name: [{"value": fv.value, "count": fv.count} for fv in result.facets.get(name, ())]
                for name in API_FACETS
            },
        }
    )


@bp.get("/records/<path:record_id>")
def record(record_id: str) -> Response:
    work = load_work(services().backend, record_id)
    r = work.record
    body = r.to_dict(with_raw=False)
    body["holdings"] = holdings_json(work.holdings)
    body["source"] = {"format": r.format, "xml": r.raw_xml}
    return jsonify(body)
