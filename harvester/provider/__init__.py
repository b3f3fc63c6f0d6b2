"""Birlik's own OAI-PMH 2.0 provider: serves a collection directory over HTTP.

It stands in for the libraries' endpoints in tests, benchmarks and ``birlik demo``, and
will later re-expose the union catalogue. It never imports sickle, the indexer or the UI.

::

    collection = Collection.from_directory("config/samples/anl")
    with serve(make_app(collection, page_size=100)) as server:
        print(server.url)          # http://127.0.0.1:PORT/oai
"""

from __future__ import annotations

from harvester.provider.app import OAIApp, make_app
from harvester.provider.collection import Collection
from harvester.provider.repository import CollectionError, Repository
from harvester.provider.server import Server, serve

__all__ = [
    "Collection",
    "CollectionError",
    "OAIApp",
    "Repository",
    "Server",
    "make_app",
    "serve",
]
