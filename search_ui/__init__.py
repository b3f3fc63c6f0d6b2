"""Stage 3: the Flask UI and JSON API (``create_app``)."""

from search_ui.app import create_app

__all__ = ["create_app"]
