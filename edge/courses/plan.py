"""Pure rules of the course cache: no I/O here, so they are tested without files or a network."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Wanted:
    """One file to fetch: its sha256 and size (and the first course/path naming it, for messages)."""

    sha256: str
    size: int
    course: str
    path: str


def missing_files(manifests: Iterable, have: Callable[[str, int], bool]) -> list[Wanted]:
    """Files the manifests name that the cache lacks, each sha256 once (files shared by courses or
    versions are fetched once), in manifest order."""
    seen: set[str] = set()
    found: list[Wanted] = []
    for manifest in manifests:
        for item in manifest.files:
            if item.sha256 in seen:
                continue
            seen.add(item.sha256)
            if not have(item.sha256, item.size):
                found.append(Wanted(item.sha256, item.size, manifest.course, item.path))
    return found


def is_downgrade(offered: int, held: int | None) -> bool:
    """The hub offers an older version than the one published here (a replayed manifest): refuse."""
    return held is not None and offered < held


def reclaimable(retained: Iterable[tuple[str, int]], part_way: set[tuple[str, int]]) -> list[tuple[str, int]]:
    """Retained (course, version) pairs no learner is part-way through any more."""
    return [key for key in retained if key not in part_way]


def unreferenced(cached: set[str], kept: set[str]) -> set[str]:
    """Cached files no published (current or retained) version names: their space can go."""
    return cached - kept
