"""Elasticsearch through the official client; everything else is in ``elasticbase``.

The client of major N sends ``compatible-with=N`` and refuses a server that is not
Elasticsearch, so the server's major version must be the client's (checked on first use).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import elastic_transport
import elasticsearch
from elasticsearch import helpers
from elasticsearch.serializer import OrjsonSerializer

from indexer.backends.elasticbase import BULK_OPTIONS, PARALLEL_OPTIONS, ElasticBackend

_MAJOR = int(elasticsearch.__versionstr__.split(".")[0])


class ElasticsearchBackend(ElasticBackend):
    name = "elasticsearch"
    product = "Elasticsearch"
    client_version = elasticsearch.__versionstr__
    server_majors = (_MAJOR,)
    unreachable = (elastic_transport.ConnectionError, elastic_transport.ConnectionTimeout)
    failures = (
        elasticsearch.ApiError,
        elasticsearch.UnsupportedProductError,
        elastic_transport.TransportError,
        elasticsearch.helpers.BulkIndexError,
    )
    not_found = elasticsearch.NotFoundError

    def _make_client(self, url: str, timeout: float) -> Any:
        return elasticsearch.Elasticsearch(
            url,
            request_timeout=timeout,
            max_retries=3,
            retry_on_timeout=True,
            retry_on_status=(429, 502, 503, 504),
            serializer=OrjsonSerializer(),  # bulk bodies and responses, several times faster
        )

    def _streaming_bulk(
        self, actions: Iterable[dict[str, Any]], *, parallel: bool = False
    ) -> Iterable[tuple[bool, Any]]:
        if parallel:
            return helpers.parallel_bulk(self.client, actions, **PARALLEL_OPTIONS)
        return helpers.streaming_bulk(self.client, actions, **BULK_OPTIONS)
