"""Failure injection: make chosen requests answer an error status, after an optional delay or hold.

Product code must degrade gracefully on RBAC denials, throttling and slow servers; tests trigger
those paths through real HTTP errors rather than by mocking the client.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field


@dataclass
class FailureRule:
    """Matches requests by resource ("pods" or "deployments/scale"), method, namespace and (optionally) the RBAC
    verb, so a test can refuse `watch` while `list` still works, as RBAC granting only `list` does."""

    resource: str
    status: int = 403
    method: str | None = None
    namespace: str | None = None
    times: int | None = None
    delay_s: float = 0.0
    reason: str | None = None
    hold: threading.Event | None = None  # the request waits (bounded) until it is set: work "in flight"
    reached: threading.Event = field(default_factory=threading.Event)  # set when a request is held
    verb: str | None = None

    def matches(self, plural: str, subresource: str | None, method: str, namespace: str | None, verb: str = "") -> bool:
        wanted, _, wanted_sub = self.resource.partition("/")
        if wanted != plural or (wanted_sub and wanted_sub != subresource):
            return False
        if self.method is not None and self.method.upper() != method:
            return False
        if self.verb is not None and self.verb != verb:
            return False
        return self.namespace is None or self.namespace == namespace


class FailureInjector:
    """The active rules; the first matching rule with uses left decides a request's fate."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: list[FailureRule] = []

    def add(self, rule: FailureRule) -> None:
        with self._lock:
            self._rules.append(rule)

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    def take(self, plural: str, subresource: str | None, method: str, namespace: str | None,
             verb: str = "") -> FailureRule | None:
        """Consume one use of the first matching rule; exhausted rules are dropped."""
        with self._lock:
            for rule in self._rules:
                if rule.matches(plural, subresource, method, namespace, verb):
                    if rule.times is not None:
                        rule.times -= 1
                        if rule.times <= 0:
                            self._rules.remove(rule)
                    return rule
        return None
