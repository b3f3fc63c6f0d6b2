"""Stage 3: the Flask UI and JSON API."""
