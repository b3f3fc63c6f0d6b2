"""Fixtures and helpers for tests that need an OAI-PMH provider of our own.

``write_collection(dir, items)`` writes a collection directory in the agreed format;
``provider_factory`` starts providers over real HTTP on 127.0.0.1 and stops them after
the test. Other areas (the harvester) use these to harvest a known record set.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

import pytest

from harvester.provider import Collection, Server, make_app, serve

MARC_NS = "http://www.loc.gov/MARC21/slim"
DC_NS = "http://www.openarchives.org/OAI/2.0/oai_dc/"


def marc(identifier: str, title: str) -> str:
    """A minimal MARCXML record."""
    return (
        f'<record xmlns="{MARC_NS}"><leader>00000nam a2200000 i 4500</leader>'
        f'<controlfield tag="001">{identifier}</controlfield>'
        f'<datafield tag="245" ind1="1" ind2="0"><subfield code="a">{title}</subfield>'
        "</datafield></record>"
    )


def dc(title: str) -> str:
    """A minimal oai_dc record."""
    return (
        f'<oai_dc:dc xmlns:oai_dc="{DC_NS}" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f"<dc:title>{title}</dc:title></oai_dc:dc>"
    )


@dataclass
class SampleItem:
    """An item to write into a collection directory."""

    identifier: str
    datestamp: str
    sets: tuple[str, ...] = ()
    deleted: bool = False
    metadata: dict[str, str] = field(default_factory=dict)


def sample_items(n: int = 25, prefix: str = "oai:anl.az:") -> list[SampleItem]:
    """``n`` items, one a day from 2024-01-01 10:00Z: every 10th deleted, odd ones with
    oai_dc too, sets ``books`` + ``lang:aze`` (even) or ``lang:kaz`` (odd)."""
    items = []
    for i in range(1, n + 1):
        ident = f"{prefix}{i:06d}"
        day = f"2024-{1 + (i - 1) // 28:02d}-{1 + (i - 1) % 28:02d}T10:00:00Z"
        sets = ("books", "lang:aze" if i % 2 == 0 else "lang:kaz")
        if i % 10 == 0:
            items.append(SampleItem(ident, day, sets, deleted=True))
            continue
        md = {"marc21": marc(f"{i:06d}", f"Title {i} &amp; more")}
        if i % 2:
            md["oai_dc"] = dc(f"Title {i}")
        items.append(SampleItem(ident, day, sets, metadata=md))
    return items


def write_collection(
    directory: Path,
    items: Iterable[SampleItem],
    *,
    granularity: str = "seconds",
    deleted_record: str = "persistent",
    sets: Iterable[tuple[str, str]] = (("books", "Books"), ("lang", "Languages")),
    per_file: int = 10,
    prefix: str = "oai:anl.az:",
) -> Path:
    """Write ``repository.toml`` and ``records/*.xml`` (``per_file`` items each)."""
    (directory / "records").mkdir(parents=True, exist_ok=True)
    toml = [
        'repository_name = "Test Library"',
        f'identifier_prefix = "{prefix}"',
        f'granularity = "{granularity}"',
        'earliest_datestamp = "2024-01-01T00:00:00Z"',
        f'deleted_record = "{deleted_record}"',
        'admin_email = "oai@example.org"',
    ]
    for spec, name in sets:
        toml += ["[[sets]]", f'spec = "{spec}"', f'name = "{name}"']
    (directory / "repository.toml").write_text("\n".join(toml) + "\n", encoding="utf-8")
    chunk: list[str] = []
    items = list(items)
    for n, item in enumerate(items):
        attrs = f"identifier={quoteattr(item.identifier)} datestamp={quoteattr(item.datestamp)}"
        if item.sets:
            attrs += f" sets={quoteattr(' '.join(item.sets))}"
        if item.deleted:
            chunk.append(f'<item {attrs} deleted="true"/>')
        else:
            mds = "".join(
                f'<metadata prefix="{p}">{x}</metadata>' for p, x in item.metadata.items()
            )
            chunk.append(f"<item {attrs}>{mds}</item>")
        if len(chunk) == per_file or n == len(items) - 1:
            path = directory / "records" / f"part-{n // per_file:04d}.xml"
            path.write_text("<items>\n" + "\n".join(chunk) + "\n</items>\n", encoding="utf-8")
            chunk = []
    return directory


ProviderFactory = Callable[..., tuple[Server, Collection]]


@pytest.fixture
def provider_factory() -> Iterator[ProviderFactory]:
    """``start(directory, **make_app_kwargs)`` → (server, collection), stopped after the test."""
    started: list[tuple[Server, Collection]] = []

    def start(directory: Path, **kwargs: Any) -> tuple[Server, Collection]:
        collection = Collection.from_directory(directory)
        server = serve(make_app(collection, **kwargs))
        started.append((server, collection))
        return server, collection

    yield start
    for server, collection in started:
        server.shutdown()
        collection.close()


@pytest.fixture
def sample_provider(tmp_path: Path, provider_factory: ProviderFactory) -> tuple[Server, Collection]:
    """A provider over ``sample_items(25)`` with page size 7, on 127.0.0.1."""
    directory = write_collection(tmp_path / "collection", sample_items(25))
    return provider_factory(directory, page_size=7)
