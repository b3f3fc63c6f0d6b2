"""From scored pairs and librarians' decisions to clusters with stable ids (pure).

Rules:
- librarians' decisions win: a *must-link* joins two records whatever the scores say, a
  *cannot-link* keeps two records apart even when automatic matches would chain them;
- automatic ``same`` pairs are joined strongest first (union-find), skipping any join that
  would put a cannot-linked pair in one cluster;
- a cluster keeps the id it had: the id most of its members carried before (ties: the
  smallest id); a cluster with no history takes its preferred record's id;
- the preferred record is the most complete one (most non-empty descriptive fields), ties
  going to the older datestamp, then the smaller id.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Member:
    id: str
    completeness: int
    datestamp: str


def preferred_order(members: Iterable[Member]) -> list[str]:
    """Member ids, preferred record first (most complete, then oldest datestamp, then id)."""
    return [m.id for m in sorted(members, key=lambda m: (-m.completeness, m.datestamp, m.id))]


class _Components:
    """Union-find with the cannot-link sets carried by each root."""

    def __init__(self, ids: Iterable[str], cannot: Iterable[tuple[str, str]]) -> None:
        self.parent = {i: i for i in ids}
        self.members: dict[str, set[str]] = {i: {i} for i in self.parent}
        self.cannot: dict[str, set[str]] = defaultdict(set)
        for a, b in cannot:
            if a in self.parent and b in self.parent:
                self.cannot[a].add(b)
                self.cannot[b].add(a)

    def find(self, x: str) -> str:
        root = x
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[x] != root:
            self.parent[x], x = root, self.parent[x]
        return root

    def union(self, a: str, b: str, *, force: bool = False) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
        small, big = sorted((ra, rb), key=lambda r: len(self.members[r]))
        if not force and any(self.cannot[m] & self.members[big] for m in self.members[small]):
            return False
        self.parent[small] = big
        self.members[big] |= self.members.pop(small)
        return True

    def groups(self) -> list[set[str]]:
        return list(self.members.values())


def cluster(
    members: Mapping[str, Member],
    same_pairs: Iterable[tuple[str, str, float]],
    *,
    must_link: Iterable[tuple[str, str]] = (),
    cannot_link: Iterable[tuple[str, str]] = (),
    previous: Mapping[str, str] | None = None,
    taken: set[str] | None = None,
) -> dict[str, list[str]]:
    """Cluster id → member ids (preferred first) for every record in ``members``.

    ``previous`` maps record id → the cluster id it had; ``taken`` holds cluster ids in use
    outside this neighbourhood, which a new cluster must not reuse.
    """
    comps = _Components(members, cannot_link)
    for a, b in must_link:
        if a in members and b in members:
            comps.union(a, b, force=True)
    for a, b, _score in sorted(same_pairs, key=lambda p: (-p[2], p[0], p[1])):
        if a in members and b in members:
            comps.union(a, b)
    return assign_ids(
        [preferred_order(members[i] for i in g) for g in comps.groups()], previous or {}, taken
    )


def assign_ids(
    groups: list[list[str]], previous: Mapping[str, str], taken: set[str] | None = None
) -> dict[str, list[str]]:
    """Give each group (preferred first) a stable id: inherited by majority, else new."""
    used = set(taken or ())
    out: dict[str, list[str]] = {}
    # Bigger groups choose first, so after a split the larger part keeps the old id.
    for group in sorted(groups, key=lambda g: (-len(g), g[0])):
        votes = Counter(previous[m] for m in group if m in previous)
        cid = None
        for candidate, _n in sorted(votes.items(), key=lambda kv: (-kv[1], kv[0])):
            if candidate not in used:
                cid = candidate
                break
        if cid is None:
            cid = next(
                m for m in [*group, *[f"{group[0]}#{n}" for n in range(2, 99)]] if m not in used
            )
        used.add(cid)
        out[cid] = group
    return out
