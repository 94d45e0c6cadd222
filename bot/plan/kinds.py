"""A registry of named kinds (check kinds, action kinds): one per app and per test, never a module singleton.

The plan loader asks it for each kind's parameter model, so a typo in a plan is caught at load.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Generic, Protocol, TypeVar

from pydantic import BaseModel


class Kind(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def params(self) -> type[BaseModel]: ...


K = TypeVar("K", bound=Kind)


class KindRegistry(Generic[K]):
    label = "kind"

    def __init__(self, kinds: Iterable[K] = ()) -> None:
        self._kinds: dict[str, K] = {}
        for kind in kinds:
            self.add(kind)

    def add(self, kind: K) -> None:
        if kind.name in self._kinds:
            raise ValueError(f"{self.label} {kind.name!r} is registered twice")
        self._kinds[kind.name] = kind

    def get(self, name: str) -> K | None:
        return self._kinds.get(name)

    def params_model(self, name: str) -> type[BaseModel] | None:
        kind = self._kinds.get(name)
        return kind.params if kind else None

    def names(self) -> list[str]:
        return sorted(self._kinds)
