"""The code Elasticsearch and OpenSearch share (django-modelsearch's ``elasticsearchbase``).

The adapters in ``elasticsearch.py`` and ``opensearch.py`` differ only in the client they
hold: its class, its exceptions, its bulk helpers and the server versions it can talk to.

Indexes are versioned, ``<name>-v<time>``, created from one index template with explicit
mappings, and reached through the alias ``<name>``. A rebuild fills a new version while
readers keep using the alias, then moves the alias in one ``update_aliases`` call and drops
the old version. Bulk writes go through ``helpers.streaming_bulk``: items rejected with 429
are retried with back-off by the helper, other failed items once more, and what still fails
is reported item by item in a ``BackendError``.
"""

from __future__ import annotations

import contextlib
import logging
import time
import warnings
from collections.abc import Callable, Iterable, Iterator
from typing import Any, ClassVar, TypeVar, cast

from indexer.backends import elastic_query as eq
from indexer.backends import elastic_search
from indexer.backends.base import IndexDoc, SearchBackend, SearchQuery, SearchResult
from indexer.backends.common import check_query
from indexer.documents import from_document, to_json_documents
from indexer.errors import BackendError, EngineUnavailable, StaleIndexError
from indexer.record import Record

log = logging.getLogger(__name__)
T = TypeVar("T")
BULK_OPTIONS: dict[str, Any] = {
    "chunk_size": 1000,
    "max_retries": 5,
    "initial_backoff": 1,
    "max_backoff": 30,
    "raise_on_error": False,
}
"""Options for ``helpers.streaming_bulk``: 429-rejected items are retried with back-off."""
LOADING: dict[str, Any] = {"refresh_interval": "-1", "translog.durability": "async"}
"""Settings of a version while a rebuild fills it (back to the template's after): no
refreshes, and no fsync per bulk request, since a crash mid-rebuild discards the version
anyway and the alias still points at the old one."""
PARALLEL_OPTIONS: dict[str, Any] = {
    "chunk_size": 1000,
    "thread_count": 2,
    "queue_size": 2,
    "raise_on_error": False,
}


class ElasticBackend(SearchBackend):
    """Search through an Elasticsearch-compatible engine; subclasses supply the client."""

    product: ClassVar[str] = ""
    client_version: ClassVar[str] = ""
    server_majors: ClassVar[tuple[int, ...]] = ()
    unreachable: ClassVar[tuple[type[BaseException], ...]] = ()
    failures: ClassVar[tuple[type[BaseException], ...]] = ()
    not_found: ClassVar[type[BaseException]] = LookupError
    limits = elastic_search.Limits()
    """When counts are exact, and how samples are drawn (tests lower them)."""
    request_cache = True
    """Let the engine cache whole search responses (dropped at the next refresh that
    changed something): a repeated query, or the next page's facets, costs a look-up."""

    def __init__(self, url: str, name: str = "birlik", *, timeout: float = 30) -> None:
        self.url = url
        self.alias = name
        self.client: Any = self._make_client(url, timeout)
        self._ready = False
        self._layout_ok = False

    def _make_client(self, url: str, timeout: float) -> Any:
        raise NotImplementedError

    def _streaming_bulk(
        self, actions: Iterable[dict[str, Any]], *, parallel: bool = False
    ) -> Iterable[tuple[bool, Any]]:
        """The client's ``helpers.parallel_bulk`` (two requests in flight, so our Python and
        the engine work at the same time), or ``helpers.streaming_bulk`` (429s retried with
        back-off), which the second pass over failed items uses."""
        raise NotImplementedError

    # -- calls, errors, setup ----------------------------------------------------------

    def _call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run one client call; its exceptions become ours, naming the engine and URL."""
        try:
            return fn(*args, **kwargs)
        except BackendError:
            raise
        except self.unreachable as e:
            raise EngineUnavailable(f"cannot reach {self.product} at {self.url}: {e}") from e
        except self.failures as e:
            if getattr(e, "status_code", None) == 429 or getattr(e, "status", None) == 429:
                raise EngineUnavailable(f"{self.product} at {self.url} is overloaded (429)") from e
            raise BackendError(f"{self.product} at {self.url} failed: {e}") from e

    def ping(self) -> None:
        self._ensure()

    def check_version(self) -> str:
        """The server's version; ``EngineUnavailable`` when the client cannot speak to it."""
        info = self._call(self.client.info)
        version = info["version"]
        number = str(version["number"])
        distribution = version.get("distribution", "elasticsearch")
        if self.product == "OpenSearch" and distribution != "opensearch":
            raise EngineUnavailable(f"the server at {self.url} is not OpenSearch ({distribution})")
        major = int(number.split(".")[0])
        if major not in self.server_majors:
            wanted = " or ".join(f"{m}.x" for m in self.server_majors)
            raise EngineUnavailable(
                f"{self.product} {number} at {self.url} does not match the Python client "
                f"{self.client_version}: it talks to {self.product} {wanted}"
            )
        return number

    def _ensure(self) -> None:
        """Check the server, put the template, create a first version behind the alias."""
        if self._ready:
            return
        self.check_version()
        indices = self.client.indices
        self._call(
            indices.put_index_template, name=f"{self.alias}-template", body=eq.template(self.alias)
        )
        if not self._call(indices.exists_alias, name=self.alias):
            if self._call(indices.exists, index=self.alias):
                raise BackendError(
                    f"{self.product} at {self.url} has an index named {self.alias!r} where "
                    "Birlik keeps its alias: rename [index] name or delete that index"
                )
            new = self._new_index()
            self._call(indices.put_alias, index=new, name=self.alias)
        self._ready = True

    def _check_layout(self) -> None:
        """``StaleIndexError`` when the index behind the alias was made by another Birlik
        (other mappings): the next index run rebuilds it."""
        if self._layout_ok:
            return
        resp = self._call(self.client.indices.get_mapping, index=self.alias)
        for index, m in resp.items():
            layout = m.get("mappings", {}).get("_meta", {}).get("birlik_layout")
            if layout != eq.LAYOUT:
                raise StaleIndexError(
                    f"{self.product} index {index} has layout {layout}, this Birlik needs "
                    f"{eq.LAYOUT}: rebuild it (birlik index --rebuild)"
                )
        self._layout_ok = True

    def _new_index(self) -> str:
        name = f"{self.alias}-v{time.time_ns()}"
        self._call(self.client.indices.create, index=name)
        return name

    def _versions(self) -> list[str]:
        resp = self._call(self.client.indices.get_alias, name=self.alias)
        return sorted(resp.keys())

    # -- writing -----------------------------------------------------------------------

    def _bulk(self, actions: Iterable[dict[str, Any]], *, ignore_missing: bool = False) -> int:
        """Send actions (two requests in flight); send failed items once more, one request at a
        time with back-off; raise naming the items that still fail."""
        ok = 0
        failed: list[tuple[dict[str, Any], dict[str, Any]]] = []
        for attempt in (1, 2):
            batch = actions if attempt == 1 else [a for a, _ in failed]
            failed = []
            kept: dict[str, dict[str, Any]] = {}
            results = iter(self._streaming_bulk(_remember(batch, kept), parallel=attempt == 1))
            while (result := self._call(next, results, None)) is not None:
                success, item = result
                op, info = next(iter(item.items()))
                action = kept.pop(str(info.get("_id")), {})
                if success:
                    ok += 1
                elif op == "delete" and info.get("status") == 404 and ignore_missing:
                    continue
                else:
                    failed.append((action, info))
            if not failed:
                return ok
            log.warning("%d bulk items failed; retrying them once", len(failed))
        first = "; ".join(
            f"{i.get('_id')}: {i.get('error') or i.get('status')}" for _, i in failed[:3]
        )
        raise BackendError(
            f"{self.product}: {len(failed)} documents could not be written ({first})"
        )

    @staticmethod
    def _index_actions(
        docs: Iterable[IndexDoc] | Iterable[dict[str, Any]], index: str, *, prepared: bool = False
    ) -> Iterator[dict[str, Any]]:
        """Bulk index actions; unprepared docs become JSON in worker processes (the bulk
        helpers forward a ``_source`` that is already bytes)."""
        if prepared:
            for src in cast(Iterable[dict[str, Any]], docs):
                yield {"_op_type": "index", "_index": index, "_id": src["id"], "_source": src}
            return
        for rid, data in to_json_documents(cast(Iterable[IndexDoc], docs)):
            yield {"_op_type": "index", "_index": index, "_id": rid, "_source": data}

    def add(self, docs: Iterable[IndexDoc]) -> int:
        self._ensure()
        self._check_layout()
        return self._bulk(self._index_actions(docs, self.alias))

    def delete(self, record_ids: Iterable[str]) -> int:
        self._ensure()
        actions = (
            {"_op_type": "delete", "_index": self.alias, "_id": i}
            for i in dict.fromkeys(record_ids)
        )
        return self._bulk(actions, ignore_missing=True)

    def refresh(self) -> None:
        self._ensure()
        self._call(self.client.indices.refresh, index=self.alias)

    def count(self) -> int:
        self._ensure()
        self._check_layout()
        return int(self._call(self.client.count, index=self.alias)["count"])

    def reset(self) -> None:
        self.rebuild(())

    def rebuild(self, docs: Iterable[IndexDoc]) -> int:
        return self.rebuild_prepared(docs, prepared=False)

    def rebuild_prepared(
        self, docs: Iterable[IndexDoc] | Iterable[dict[str, Any]], *, prepared: bool = True
    ) -> int:
        """``rebuild`` from documents already made by ``to_document`` (benchmarks use it to
        time the engine path apart from the preparation)."""
        self._ensure()
        indices = self.client.indices
        new = self._new_index()
        try:
            self._call(indices.put_settings, index=new, body={"index": LOADING})
            n = self._bulk(self._index_actions(docs, new, prepared=prepared))
            self._call(indices.put_settings, index=new, body={"index": dict.fromkeys(LOADING)})
            self._call(indices.refresh, index=new)
            old = self._versions()
            actions: list[dict[str, Any]] = [
                {"remove": {"index": o, "alias": self.alias}} for o in old
            ]
            actions.append({"add": {"index": new, "alias": self.alias}})
            self._call(indices.update_aliases, body={"actions": actions})
        except BaseException:
            self._call(indices.delete, index=new, ignore_unavailable=True)
            raise
        for o in old:
            self._call(indices.delete, index=o, ignore_unavailable=True)
        log.info("%s index %s swapped in behind %s (%d records)", self.product, new, self.alias, n)
        self._merge(new)
        return n

    def _merge(self, index: str) -> None:
        """Merge a freshly built version into one segment, in the background: a bulk load
        leaves about ten segments at a million records, and each search visits every one of
        them. Best effort: the index is complete and searchable without it."""
        try:
            self._call(
                self.client.indices.forcemerge,
                index=index,
                max_num_segments=1,
                wait_for_completion=False,
            )
        except BackendError as e:
            log.warning("could not start merging %s: %s", index, e)

    def merging(self) -> bool:
        """Whether a merge started by ``_merge`` is still running, or the index is merging
        segments for another reason (benchmarks wait for both)."""
        with warnings.catch_warnings():  # Elasticsearch's client calls the tasks API a preview
            warnings.simplefilter("ignore")
            tasks = self._call(self.client.tasks.list, actions="indices:admin/forcemerge*")
        if any(node.get("tasks") for node in tasks.get("nodes", {}).values()):
            return True
        stats = self._call(self.client.indices.stats, index=self.alias, metric="merge")
        return bool(stats["_all"]["total"]["merges"]["current"])

    def destroy(self) -> None:
        """Delete every version and the template (tests and ``reset --hard`` use it)."""
        indices = self.client.indices
        with contextlib.suppress(BackendError):
            for v in self._versions():
                self._call(indices.delete, index=v, ignore_unavailable=True)
        with contextlib.suppress(BackendError):
            self._call(indices.delete_index_template, name=f"{self.alias}-template")
        self._ready = False

    # -- reading -----------------------------------------------------------------------

    def search(self, query: SearchQuery) -> SearchResult:
        """Two round trips (``elastic_search``); counts exact up to ``limits.exact_limit``
        matching records, estimated from a sample of clusters above (and flagged)."""
        parsed = check_query(query)
        self._ensure()
        self._check_layout()
        return elastic_search.search(self._msearch, query, parsed, self.limits)

    def _msearch(self, bodies: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Run searches side by side in one ``_msearch``; a failed one raises, named."""
        lines: list[dict[str, Any]] = []
        for body in bodies:
            lines += [{"request_cache": self.request_cache}, body]
        resp = self._call(self.client.msearch, index=self.alias, body=lines)
        out = []
        for r in resp["responses"]:
            if "error" in r:
                error = r["error"]
                reason = error.get("reason") if isinstance(error, dict) else error
                if r.get("status") == 429:
                    raise EngineUnavailable(f"{self.product} at {self.url} is overloaded (429)")
                raise BackendError(f"{self.product} at {self.url} failed: {reason}")
            out.append(r)
        return out

    def get(self, record_id: str) -> Record | None:
        self._ensure()
        body = {"query": {"term": {"id": record_id}}, "size": 1}
        resp = self._call(self.client.search, index=self.alias, body=body)
        hits = resp["hits"]["hits"]
        return from_document(hits[0]["_source"], with_raw=True) if hits else None

    def cluster(self, cluster_id: str) -> tuple[Record, ...]:
        self._ensure()
        body = eq.holdings_body([cluster_id])
        body["_source"] = ["record"]
        resp = self._call(self.client.search, index=self.alias, body=body)
        return tuple(from_document(h["_source"]) for h in resp["hits"]["hits"])

    def close(self) -> None:
        self.client.close()


def _remember(
    actions: Iterable[dict[str, Any]], kept: dict[str, dict[str, Any]]
) -> Iterator[dict[str, Any]]:
    """Pass actions on, keeping each by id so a failed item can be sent again."""
    for a in actions:
        kept[a["_id"]] = a
        yield a
