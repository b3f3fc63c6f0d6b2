"""Candidate pairs from blocking keys, and whole-collection clustering in memory (pure)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping

from indexer.dedup.cluster import Member, cluster
from indexer.dedup.features import Features, blocking_keys
from indexer.dedup.match import Match, score_pair

MAX_BLOCK = 200  # a bigger block is a key too common to mean anything; it is skipped


def _year_compatible(members: list[Features]) -> Iterator[tuple[Features, Features]]:
    """The pairs of one block whose years agree or are unknown on one side.

    Two records of different known years are never the same edition (``score_pair`` says
    ``related`` at most), and at a million records such pairs are most of every block, so
    they are not formed here. (``DedupStore.update`` still scores every pair of a changed
    record's blocks, so it may also keep such ``related`` pairs; the ``same`` pairs, and so
    the clusters, are the same either way.) Blocks are split by year: pairs within a year,
    and each record of unknown year with every other record.
    """
    by_year: dict[int | None, list[Features]] = defaultdict(list)
    for f in members:
        by_year[f.year].append(f)
    unknown = by_year.pop(None, [])
    for group in by_year.values():
        for i, a in enumerate(group):
            for b in group[i + 1 :]:
                yield a, b
    for i, a in enumerate(unknown):
        for b in unknown[i + 1 :]:
            yield a, b
        for group in by_year.values():
            for b in group:
                yield a, b


def candidate_pairs(feats: Iterable[Features]) -> Iterator[tuple[Features, Features]]:
    """Each pair of year-compatible records that share a blocking key, once (lower id first)."""
    first: dict[str, Features] = {}  # a key seen once (most ISBNs) costs no list
    blocks: dict[str, list[Features]] = {}
    for f in feats:
        for k in blocking_keys(f):
            if k in blocks:
                blocks[k].append(f)
            elif k in first:
                blocks[k] = [first.pop(k), f]
            else:
                first[k] = f
    del first
    seen: set[tuple[str, str]] = set()
    for members in blocks.values():
        if len(members) > MAX_BLOCK:
            continue
        for a, b in _year_compatible(members):
            pair = (a.id, b.id) if a.id < b.id else (b.id, a.id)
            if pair in seen:
                continue
            seen.add(pair)
            yield (a, b) if a.id < b.id else (b, a)


def match_all(feats: Iterable[Features]) -> list[Match]:
    """Every scored candidate pair whose verdict is not plainly ``different``."""
    out = []
    for a, b in candidate_pairs(feats):
        m = score_pair(a, b)
        if m.verdict != "different" or m.score > 0:
            out.append(m)
    return out


def member(f: Features) -> Member:
    return Member(f.id, f.completeness, f.datestamp)


def cluster_all(
    feats: list[Features],
    *,
    must_link: Iterable[tuple[str, str]] = (),
    cannot_link: Iterable[tuple[str, str]] = (),
    previous: Mapping[str, str] | None = None,
) -> tuple[dict[str, list[str]], list[Match]]:
    """Cluster a whole collection: (cluster id → members, preferred first; the matches)."""
    matches = match_all(feats)
    same = [(m.a, m.b, m.score) for m in matches if m.same]
    members = {f.id: member(f) for f in feats}
    clusters = cluster(
        members, same, must_link=must_link, cannot_link=cannot_link, previous=previous
    )
    return clusters, matches
