"""Candidate pairs from blocking keys, and whole-collection clustering in memory (pure)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping

from indexer.dedup.cluster import Member, cluster
from indexer.dedup.features import Features, blocking_keys
from indexer.dedup.match import Match, score_pair

MAX_BLOCK = 200  # a bigger block is a key too common to mean anything; it is skipped


def candidate_pairs(feats: Iterable[Features]) -> Iterator[tuple[Features, Features]]:
    """Each pair of records that share a blocking key, once, across sources first."""
    blocks: dict[str, list[Features]] = defaultdict(list)
    for f in feats:
        for k in blocking_keys(f):
            blocks[k].append(f)
    seen: set[tuple[str, str]] = set()
    for members in blocks.values():
        if len(members) < 2 or len(members) > MAX_BLOCK:
            continue
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
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
