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
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Member:
    id: str
    completeness: int
    datestamp: str


def preferred_order(members: Iterable[Member]) -> list[str]:
    """Member ids, preferred record first (most complete, then oldest datestamp, then id)."""
    return [m.id for m in sorted(members, key=lambda m: (-m.completeness, m.datestamp, m.id))]


_NONE: frozenset[str] = frozenset()


class _Components:
    """Union-find with the cannot-link sets carried by each root.

    Sparse: only records that were joined have a parent or a member set, so a million
    records of which a few percent are duplicates cost memory for the few percent.
    """

    def __init__(self, ids: Iterable[str], cannot: Iterable[tuple[str, str]]) -> None:
        self.ids = ids if isinstance(ids, Mapping | set | frozenset) else set(ids)
        self.parent: dict[str, str] = {}
        self.members: dict[str, set[str]] = {}  # root → its members, for groups of two or more
        self.cannot: dict[str, set[str]] = defaultdict(set)
        for a, b in cannot:
            if a in self.ids and b in self.ids:
                self.cannot[a].add(b)
                self.cannot[b].add(a)

    def find(self, x: str) -> str:
        parent = self.parent
        root = x
        while (up := parent.get(root, root)) != root:
            root = up
        while (up := parent.get(x, x)) != root:
            parent[x], x = root, up
        return root

    def _of(self, root: str) -> set[str]:
        return self.members.get(root) or {root}

    def union(self, a: str, b: str, *, force: bool = False) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
        small, big = sorted((ra, rb), key=lambda r: len(self._of(r)))
        small_set, big_set = self._of(small), self._of(big)
        if not force and any(self.cannot.get(m, _NONE) & big_set for m in small_set):
            return False
        self.parent[small] = big
        self.members.pop(small, None)
        if big in self.members:
            big_set |= small_set
        else:
            self.members[big] = big_set | small_set
        return True

    def groups(self) -> tuple[list[set[str]], list[str]]:
        """(groups of two or more, the ids left alone)."""
        joined = list(self.members.values())
        grouped = {m for g in joined for m in g}
        return joined, [i for i in self.ids if i not in grouped]


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
    joined, alone = comps.groups()
    groups = [preferred_order(members[i] for i in g) for g in joined]
    return assign_ids(groups + [[i] for i in alone], previous or {}, taken)


def _fresh_ids(group: list[str]) -> Iterator[str]:
    """Ids a new cluster may take: its members' ids, preferred first, then numbered ones."""
    yield from group
    n = 2
    while True:
        yield f"{group[0]}#{n}"
        n += 1


def assign_ids(
    groups: list[list[str]], previous: Mapping[str, str], taken: set[str] | None = None
) -> dict[str, list[str]]:
    """Give each group (preferred first) a stable id: inherited by majority, else new."""
    used = set(taken or ())
    out: dict[str, list[str]] = {}
    # Bigger groups choose first, so after a split the larger part keeps the old id.
    for group in sorted(groups, key=lambda g: (-len(g), g[0])):
        if len(group) == 1 and group[0] not in previous and group[0] not in used:
            used.add(group[0])  # a record alone and new: the common case, kept cheap
            out[group[0]] = group
            continue
        votes = Counter(previous[m] for m in group if m in previous)
        cid: str | None = None
        for candidate, _n in sorted(votes.items(), key=lambda kv: (-kv[1], kv[0])):
            if candidate not in used:
                cid = candidate
                break
        if cid is None:
            cid = next(m for m in _fresh_ids(group) if m not in used)
        used.add(cid)
        out[cid] = group
    return out
