"""OpenSearch through ``opensearch-py``; everything else is in ``elasticbase``.

OpenSearch's own client, since the Elasticsearch client refuses a server that does not
answer ``X-Elastic-Product: Elasticsearch``. opensearch-py 3 speaks to OpenSearch 1 to 3.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import opensearchpy
import orjson
from opensearchpy import helpers
from opensearchpy.serializer import JSONSerializer

from indexer.backends.elasticbase import BULK_OPTIONS, PARALLEL_OPTIONS, ElasticBackend


class OrjsonSerializer(JSONSerializer):
    """opensearch-py's JSON serializer on orjson: bulk bodies and search responses are
    (de)serialised several times faster (elasticsearch-py ships its own)."""

    def loads(self, s: str) -> Any:
        try:
            return orjson.loads(s)
        except orjson.JSONDecodeError as e:
            raise opensearchpy.SerializationError(s, e) from e

    def dumps(self, data: Any) -> Any:
        if isinstance(data, str):
            return data
        if isinstance(data, bytes):  # a document already serialised (``to_json_documents``)
            return data.decode()
        try:
            return orjson.dumps(data, default=self.default).decode()
        except TypeError as e:
            raise opensearchpy.SerializationError(data, e) from e


class OpenSearchBackend(ElasticBackend):
    name = "opensearch"
    product = "OpenSearch"
    client_version = opensearchpy.__versionstr__
    server_majors = (1, 2, 3)
    unreachable = (opensearchpy.ConnectionError, opensearchpy.ConnectionTimeout)
    failures = (opensearchpy.OpenSearchException,)
    not_found = opensearchpy.NotFoundError

    def _make_client(self, url: str, timeout: float) -> Any:
        return opensearchpy.OpenSearch(
            url,
            timeout=timeout,
            max_retries=3,
            retry_on_timeout=True,
            retry_on_status=(429, 502, 503, 504),
            serializer=OrjsonSerializer(),
        )

    def _streaming_bulk(
        self, actions: Iterable[dict[str, Any]], *, parallel: bool = False
    ) -> Iterable[tuple[bool, Any]]:
        if parallel:
            return helpers.parallel_bulk(self.client, actions, **PARALLEL_OPTIONS)
        return helpers.streaming_bulk(self.client, actions, **BULK_OPTIONS)
