"""What a measurement can keep from the last one: results computed from the watch-fed view, while it stands still.

A check or risk rule that declares the kinds it reads (`Declared`) and, when run, read nothing but those kinds
through the view (no Vault, no clock, no direct list, no kind that failed) has its result kept with the version
of every (kind, namespace) it read. The next measurement reuses it while each of those versions is unchanged,
and runs it again as soon as one moved: the answer is always what running it now would give. A value computed
per namespace (`partial`) is kept the same way, per namespace. Kept across measurements by the meter; the
counters say how often each check or rule was run and reused (what tests and the bench read).
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

T = TypeVar("T")
ANY_KIND = "*"  # declared by a check whose parameters name the kind it reads (crd_objects)
Declared = tuple[str, ...]  # the kinds a check or rule may read; () = it reads something else, never reused


class Versions(Protocol):
    def version(self, plural: str, namespace: str | None) -> int | None: ...


@dataclass
class Reads:
    """What one check or rule read: each (kind, namespace or None for all) with its version, and anything else."""

    versions: dict[tuple[str, str | None], int] = field(default_factory=dict)
    other: set[str] = field(default_factory=set)

    def reusable(self, declared: Declared) -> bool:
        if self.other or not declared:
            return False
        return ANY_KIND in declared or all(plural in declared for plural, _ in self.versions)


@dataclass(frozen=True)
class _Kept:
    versions: tuple[tuple[tuple[str, str | None], int], ...]
    value: Any

    def current(self, view: Versions) -> bool:
        return all(view.version(plural, ns) == version for (plural, ns), version in self.versions)


class Reuse:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._results: dict[Hashable, _Kept] = {}
        self._partials: dict[Hashable, dict[str, tuple[int, Any]]] = {}  # computation -> namespace -> kept
        self.computed: Counter[Hashable] = Counter()
        self.reused: Counter[Hashable] = Counter()
        self.partials_computed: Counter[tuple[Hashable, str]] = Counter()  # (computation, namespace)

    def kept(self, key: Hashable, view: Versions) -> Any | None:
        """The kept result for `key` while everything it read is unchanged (counted as reused), else None."""
        with self._lock:
            kept = self._results.get(key)
        if kept is None or not kept.current(view):
            return None
        with self._lock:
            self.reused[key] += 1
        return kept.value

    def result(self, key: Hashable, declared: Declared, view: Versions, compute: Callable[[Any], T],
               reader: Callable[[], Any], keep: Callable[[T], bool] = lambda _: True) -> T:
        """The kept result for `key` if everything it read is unchanged, else `compute(reader())`, kept when the
        reader read only declared kinds through the view (and `keep` accepts the result)."""
        found = self.kept(key, view)
        if found is not None:
            return found  # type: ignore[no-any-return]
        snapshot = reader()
        value = compute(snapshot)
        reads: Reads = snapshot.reads
        with self._lock:
            self.computed[key] += 1
            if reads.reusable(declared) and keep(value):
                self._results[key] = _Kept(_essential(reads.versions), value)
            else:
                self._results.pop(key, None)
        return value

    def partial(self, key: Hashable, namespace: str, version: int, compute: Callable[[], T]) -> T:
        """A value computed from one namespace's objects at `version`, kept until that namespace changes."""
        with self._lock:
            kept = self._partials.get(key, {}).get(namespace)
        if kept is not None and kept[0] == version:
            return kept[1]  # type: ignore[no-any-return]
        value = compute()
        with self._lock:
            self.partials_computed[(key, namespace)] += 1
            self._partials.setdefault(key, {})[namespace] = (version, value)
        return value

    def prune(self, key: Hashable, namespaces: list[str]) -> None:
        """Forget a computation's values for namespaces that no longer hold objects (deleted tenants)."""
        with self._lock:
            kept = self._partials.get(key)
            if kept is not None and len(kept) > len(namespaces):
                self._partials[key] = {ns: kept[ns] for ns in namespaces if ns in kept}


def _essential(versions: dict[tuple[str, str | None], int]) -> tuple[tuple[tuple[str, str | None], int], ...]:
    """The versions to compare: a namespace of a kind whose whole version is kept adds nothing to it."""
    whole = {plural for plural, ns in versions if ns is None}
    return tuple((read, version) for read, version in versions.items() if read[0] not in whole or read[1] is None)
