"""Providers under test, either implementation, with the record set each must yield.

The ``target`` fixture is parametrised over the ``oaipmh`` package's server and Birlik's
own ``harvester.provider``; both sit behind the fault middleware, so every harvest test
runs against two independent implementations.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from typing import Any

import pytest
from lxml import etree

from tests.support.oai import (
    DAY,
    OAI_DC_NS,
    SECONDS,
    Item,
    Provider,
    marcxml,
    start_provider,
    stored,
)
from tests.support.oai_faults import Faulty, serve_wsgi


class Target:
    """A provider under test (either implementation) with the record set it holds."""

    kind = ""
    url: str
    faulty: Faulty

    def put(self, item: Item) -> None:
        raise NotImplementedError

    def delete(self, identifier: str, when: datetime) -> None:
        raise NotImplementedError

    def expected(self) -> dict[str, tuple[str, bool]]:
        """identifier → (datestamp, deleted): what a complete harvest must hold."""
        raise NotImplementedError

    def title(self, identifier: str) -> str:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError


def _stamp(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


class OaipmhTarget(Target):
    """The PyPI ``oaipmh`` package's server (the independent implementation)."""

    kind = "oaipmh"

    def __init__(self, provider: Provider) -> None:
        self.provider, self.url, self.faulty = provider, provider.url, provider.faulty

    def put(self, item: Item) -> None:
        self.provider.repo.put(item)

    def delete(self, identifier: str, when: datetime) -> None:
        self.provider.repo.delete(identifier, when)

    def expected(self) -> dict[str, tuple[str, bool]]:
        return {
            i.identifier: (_stamp(i.datestamp), i.deleted)
            for i in self.provider.repo.items.values()
        }

    def title(self, identifier: str) -> str:
        return self.provider.repo.items[identifier].title

    def close(self) -> None:
        self.provider.served.shutdown()


class BirlikTarget(Target):
    """Birlik's own provider (``harvester.provider``) behind the same fault middleware."""

    kind = "birlik"

    def __init__(
        self,
        items: Iterable[Item],
        *,
        page_size: int,
        granularity: str,
        sets: Iterable[str],
        delay: float,
        db_path: Any,
    ) -> None:
        from harvester.provider import Collection, Repository, make_app

        repo = Repository(
            granularity="day" if granularity == DAY else "seconds",
            sets=tuple((s, s.title()) for s in sets),
            identifier_prefix="oai:test.kz:",
        )
        self.collection = Collection(repo, db_path)
        self.day = granularity == DAY
        self.titles: dict[str, str] = {}
        self.truth: dict[str, tuple[str, bool]] = {}
        for item in items:
            self.put(item)
        self.faulty = Faulty(make_app(self.collection, page_size=page_size), delay=delay)
        self.served = serve_wsgi(self.faulty)
        self.url = self.served.url

    def put(self, item: Item) -> None:
        if item.deleted:
            md: dict[str, str] = {}
        else:
            md = {
                "marc21": marcxml(item.identifier, item.title),
                "oai_dc": (
                    f'<oai_dc:dc xmlns:oai_dc="{OAI_DC_NS}" xmlns:dc='
                    f'"http://purl.org/dc/elements/1.1/"><dc:title>'
                    f"{html.escape(item.title)}</dc:title></oai_dc:dc>"
                ),
            }
        stamp = self.collection.put(
            item.identifier, md, _stamp(item.datestamp), item.sets, deleted=item.deleted
        )
        self.titles[item.identifier] = item.title
        self.truth[item.identifier] = (stamp, item.deleted)

    def delete(self, identifier: str, when: datetime) -> None:
        stamp = self.collection.delete(identifier, _stamp(when))
        self.truth[identifier] = (stamp, True)

    def expected(self) -> dict[str, tuple[str, bool]]:
        if self.day:  # a day-granularity repository shows only the date
            return {k: (stamp[:10], gone) for k, (stamp, gone) in self.truth.items()}
        return dict(self.truth)

    def title(self, identifier: str) -> str:
        return self.titles[identifier]

    def close(self) -> None:
        self.served.shutdown()
        self.collection.close()


TargetFactory = Callable[..., Target]


@pytest.fixture(params=["oaipmh", "birlik"])
def target(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[TargetFactory]:
    """A factory of providers of one implementation (parametrised over both), each with the
    fault middleware in front: ``target(items, page_size=…, granularity=…, sets=…)``."""
    started: list[Target] = []

    def factory(
        items: Iterable[Item] = (),
        *,
        page_size: int = 10,
        granularity: str = SECONDS,
        sets: Iterable[str] = (),
        delay: float = 0.0,
    ) -> Target:
        t: Target
        if request.param == "oaipmh":
            t = OaipmhTarget(
                start_provider(
                    items, page_size=page_size, granularity=granularity, sets=sets, delay=delay
                )
            )
        else:
            t = BirlikTarget(
                items,
                page_size=page_size,
                granularity=granularity,
                sets=sets,
                delay=delay,
                db_path=tmp_path / f"provider-{len(started)}.sqlite3",
            )
        started.append(t)
        return t

    yield factory
    for t in started:
        t.close()


def assert_store_exact(
    db: Any,
    source: str,
    target: Target,
    prefix: str = "marc21",
    only: Callable[[str], bool] | None = None,
) -> None:
    """The raw store holds exactly the provider's records, with the right XML."""
    expected = target.expected()
    if only is not None:
        expected = {k: v for k, v in expected.items() if only(k)}
    assert stored(db, source, prefix) == expected
    for ident, (_, deleted) in expected.items():
        rec = db.get(source, ident, prefix)
        if deleted:
            assert rec.record.xml is None
        else:
            assert html.escape(target.title(ident)) in rec.record.xml
            etree.fromstring(rec.record.xml)
