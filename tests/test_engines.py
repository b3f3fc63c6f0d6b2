"""The real search engines that scripts/engine starts: they answer, run the version the Python
clients expect, and index and find a document through those clients.

The nodes' URLs come from BIRLIK_ES_URL and BIRLIK_OS_URL (scripts/test sets them). Without them
the engine tests skip locally and fail in CI (CI=true), where a missing engine is a broken run.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
ENGINE_SCRIPT = ROOT / "scripts" / "engine"

DOCUMENT = {"title": "Kitabi Dədə Qorqud", "title_key": "kitabi dede qorqud", "library": "AZ"}
# Analysis both engines must accept alike, so the two adapters can share one mapping.
ANALYSIS = {
    "analyzer": {
        "folded": {
            "type": "custom",
            "tokenizer": "whitespace",
            "filter": ["lowercase", "asciifolding"],
        }
    },
    "normalizer": {"folded": {"type": "custom", "filter": ["lowercase", "asciifolding"]}},
}
MAPPINGS = {
    "properties": {
        "title": {"type": "text", "analyzer": "folded"},
        "title_key": {"type": "text"},
        "library": {"type": "keyword", "normalizer": "folded"},
    }
}


def engine_url(variable: str) -> str:
    """The URL in `variable`, or skip (locally) / fail (CI) with the reason."""
    url = os.environ.get(variable, "").strip()
    if url:
        return url.rstrip("/")
    reason = (
        f"{variable} is not set: start a node with `{variable}=$(scripts/engine start "
        f"{'elasticsearch' if 'ES' in variable else 'opensearch'})`"
    )
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI runs the engine tests against real nodes, but {reason}")
    pytest.skip(reason)


@pytest.fixture
def elasticsearch_client() -> Iterator[Any]:
    from elasticsearch import Elasticsearch

    client = Elasticsearch(engine_url("BIRLIK_ES_URL"), request_timeout=30)
    yield client
    client.close()


@pytest.fixture
def opensearch_client() -> Iterator[Any]:
    from opensearchpy import OpenSearch

    client = OpenSearch([engine_url("BIRLIK_OS_URL")], timeout=30)
    yield client
    client.close()


def index_and_find(client: Any, *, body_style: bool) -> None:
    """Create a throw-away index, add one document, find it by a word, drop the index.

    `body_style` selects opensearch-py's `body=` calls; the elasticsearch 8 client takes
    keyword arguments instead.
    """
    index = f"birlik-engine-test-{uuid.uuid4().hex[:12]}"
    settings = {"number_of_shards": 1, "number_of_replicas": 0, "analysis": ANALYSIS}
    query = {
        "bool": {
            "must": [{"match": {"title_key": "qorqud"}}, {"match": {"title": "DƏDƏ"}}],
            "filter": [{"term": {"library": "az"}}],
        }
    }
    try:
        if body_style:
            client.indices.create(index=index, body={"settings": settings, "mappings": MAPPINGS})
            client.index(index=index, id="az-1", body=DOCUMENT, refresh=True)
            found = client.search(index=index, body={"query": query})
        else:
            client.indices.create(index=index, settings=settings, mappings=MAPPINGS)
            client.index(index=index, id="az-1", document=DOCUMENT, refresh=True)
            found = client.search(index=index, query=query)
        hits = found["hits"]["hits"]
        assert [hit["_id"] for hit in hits] == ["az-1"]
        assert hits[0]["_source"]["title"] == DOCUMENT["title"]
    finally:
        client.indices.delete(index=index, ignore_unavailable=True)


@pytest.mark.engine
def test_elasticsearch_answers_with_the_clients_major_version(elasticsearch_client: Any) -> None:
    import elasticsearch

    assert elasticsearch_client.ping()
    info = elasticsearch_client.info()
    server_major = int(info["version"]["number"].split(".")[0])
    assert server_major == elasticsearch.__version__[0], (
        f"server {info['version']['number']} vs client {elasticsearch.__versionstr__}: "
        "the client sends compatible-with=<its major>, so the majors must agree"
    )
    assert elasticsearch_client.cluster.health()["status"] in {"green", "yellow"}


@pytest.mark.engine
def test_elasticsearch_indexes_and_finds_a_document(elasticsearch_client: Any) -> None:
    index_and_find(elasticsearch_client, body_style=False)


@pytest.mark.engine
def test_opensearch_answers_as_opensearch(opensearch_client: Any) -> None:
    assert opensearch_client.ping()
    info = opensearch_client.info()
    assert info["version"].get("distribution") == "opensearch"
    assert int(info["version"]["number"].split(".")[0]) >= 2
    assert opensearch_client.cluster.health()["status"] in {"green", "yellow"}


@pytest.mark.engine
def test_opensearch_indexes_and_finds_a_document(opensearch_client: Any) -> None:
    index_and_find(opensearch_client, body_style=True)


def run_engine_script(
    *args: str, state: Path, **environment: str
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "BIRLIK_ENGINE_STATE": str(state), **environment}
    return subprocess.run(
        [sys.executable, str(ENGINE_SCRIPT), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )


def test_engine_script_reports_stopped_nodes_and_stops_idempotently(tmp_path: Path) -> None:
    status = run_engine_script("status", state=tmp_path)
    assert status.returncode == 0, status.stderr
    assert status.stdout.splitlines() == ["elasticsearch\tstopped", "opensearch\tstopped"]
    stopped = run_engine_script("stop", "all", state=tmp_path)
    assert (stopped.returncode, stopped.stdout) == (0, "")


def test_engine_script_rejects_an_unknown_engine(tmp_path: Path) -> None:
    result = run_engine_script("start", "solr", state=tmp_path)
    assert result.returncode == 2
    assert "invalid choice: 'solr'" in result.stderr


def test_engine_script_rejects_a_bad_port(tmp_path: Path) -> None:
    result = run_engine_script("start", "opensearch", state=tmp_path, BIRLIK_OS_PORT="ninety")
    assert result.returncode == 1
    assert "BIRLIK_OS_PORT='ninety' is not a port number" in result.stderr


def require_java_tools() -> None:
    """Skip (locally) or fail (CI) when Maven or a JDK is missing."""
    if shutil.which("mvn") is None or shutil.which("java") is None:
        reason = "needs Maven and a JDK (scripts/test installs them)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason)
        pytest.skip(reason)


@pytest.mark.engine
def test_engine_script_reports_a_node_that_dies_and_cleans_up(tmp_path: Path) -> None:
    require_java_tools()
    state = tmp_path / "state"
    result = run_engine_script(
        "start", "opensearch", state=state, BIRLIK_OS_PORT="0", BIRLIK_ENGINE_HEAP="lots"
    )
    assert result.returncode == 1
    assert result.stdout == ""
    assert "opensearch exited with status 1 before it was ready" in result.stderr
    assert "Invalid initial heap size" in result.stderr  # the end of the node's log
    assert not (state / "opensearch.json").exists()
    assert "opensearch\tstopped" in run_engine_script("status", state=state).stdout


@pytest.mark.engine
@pytest.mark.slow
def test_engine_script_starts_finds_and_stops_a_node(tmp_path: Path) -> None:
    """A private node on a free port: the URL alone on stdout, a second start finds it, stop
    removes its data directory and its record."""
    require_java_tools()
    state = tmp_path / "state"
    started = run_engine_script("start", "elasticsearch", state=state, BIRLIK_ES_PORT="0")
    try:
        assert started.returncode == 0, started.stderr
        url = started.stdout.strip()
        assert url.startswith("http://127.0.0.1:") and started.stdout == url + "\n"
        record = json.loads((state / "elasticsearch.json").read_text())
        assert record["url"] == url and Path(record["home"]).is_dir()

        again = run_engine_script("start", "elasticsearch", state=state)
        assert (again.returncode, again.stdout.strip()) == (0, url)
        assert "already running" in again.stderr
        status = run_engine_script("status", state=state).stdout
        assert f"elasticsearch\t{url}\tpid {record['pid']}\tgreen" in status
    finally:
        stopped = run_engine_script("stop", "all", state=state)
    assert stopped.returncode == 0, stopped.stderr
    assert not (state / "elasticsearch.json").exists()
    assert not Path(record["home"]).exists()
    assert "elasticsearch\tstopped" in run_engine_script("status", state=state).stdout
