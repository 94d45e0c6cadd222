"""The watch-fed view of the cluster: the kinds status, tasks, digests, App Home and risk scans read, kept current.

One `KindFeed` (list + watch, a thread each) per kind. A reader asks for a kind's objects; the first readers
wait a bounded time for the kind's first list, and a kind that has never synced raises `Unavailable` with the
reason (or the list's own error, e.g. `NotFound` for a CRD that is not installed), so no task is measured from
a kind Carbon has not seen. Actions never read this: they read live objects through the gateway.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

from bot import messages
from bot.cluster.feed import KindFeed, Trim
from bot.cluster.gateway import ClusterGateway
from bot.errors import Unavailable

# What snapshot.items() is asked for by the checks and risk rules (bot/checks, bot/risks); a kind not listed
# here is still read, by a direct list per measurement.
VIEW_KINDS: tuple[str, ...] = (
    "pods", "nodes", "namespaces", "configmaps", "deployments", "statefulsets", "daemonsets", "networkpolicies",
    "roles", "rolebindings", "clusterrolebindings", "poddisruptionbudgets", "certificates", "clusterissuers",
    "schedules", "backups", "restores",
)


def keep(plural: str, obj: dict[str, Any]) -> dict[str, Any]:
    """No trimming (the default for tests of the view itself)."""
    return obj


class ClusterView:
    def __init__(self, gateway: ClusterGateway, *, kinds: Iterable[str] = VIEW_KINDS, trim: Trim = keep,
                 sync_wait_s: float = 10.0, **feed_options: Any) -> None:
        self.gateway = gateway
        self.sync_wait_s = sync_wait_s
        self.feeds = {plural: KindFeed(gateway, plural, trim, **feed_options) for plural in kinds}

    def start(self) -> ClusterView:
        for feed in self.feeds.values():
            feed.start()
        return self

    def stop(self) -> None:
        for feed in self.feeds.values():
            feed._stop.set()
        for feed in self.feeds.values():
            feed.stop()

    def wait_listed(self, timeout_s: float) -> bool:
        """Until every kind's first list has finished (synced or failed), at most `timeout_s`; True if all did."""
        deadline = time.monotonic() + timeout_s
        return all(feed.attempted.wait(max(0.0, deadline - time.monotonic())) for feed in self.feeds.values())

    def covers(self, plural: str) -> bool:
        return plural in self.feeds

    def items(self, plural: str) -> list[dict[str, Any]]:
        """The kind's trimmed objects; raises Unavailable while it has never synced (after a bounded wait)."""
        return self.read(plural)[1]

    def read(self, plural: str, namespace: str | None = None) -> tuple[int, list[dict[str, Any]]]:
        """(version, trimmed objects) of one namespace of a kind, or of all (None), read together; raises
        Unavailable while the kind has never synced (after a bounded wait). The version changes whenever those
        objects do, so what was computed from them can be reused until it does."""
        feed = self.feeds[plural]
        feed.attempted.wait(self.sync_wait_s)
        with feed.lock:
            if feed.synced:
                pass
            elif feed.error is not None:
                raise feed.error
            else:
                raise Unavailable(messages.view_not_synced(plural, self.sync_wait_s))
        return feed.items(namespace)

    def version(self, plural: str, namespace: str | None = None) -> int | None:
        """The version `read` would return now, without waiting; None while the kind has not synced."""
        feed = self.feeds[plural]
        with feed.lock:
            return feed.objects.version(namespace) if feed.synced else None

    def namespaces(self, plural: str) -> list[str]:
        """The namespaces holding objects of a synced kind, sorted."""
        self.read(plural)
        return self.feeds[plural].namespaces()

    @property
    def generation(self) -> int:
        """Changes with every event or list of any kind: a measurement older than this one may be stale."""
        return sum(feed.generation for feed in self.feeds.values())

    def fallbacks(self) -> dict[str, str]:
        """Kinds read by timed lists instead of a watch, and why (for the status footer)."""
        return {plural: feed.fallback for plural, feed in self.feeds.items() if feed.fallback}

    def state(self) -> dict[str, dict[str, Any]]:
        """Per kind: sync state, objects held, events, relists and lag (what /readyz and /metrics show)."""
        now = time.time()
        found = {}
        for plural, feed in self.feeds.items():
            with feed.lock:
                if feed.synced:
                    sync = "synced" if feed.fallback is None else f"timed lists ({feed.fallback})"
                elif feed.error is not None:
                    sync = f"unavailable: {feed.error}"
                else:
                    sync = "syncing"
                found[plural] = {
                    "state": sync, "synced": feed.synced, "objects": len(feed.objects), "events": feed.events,
                    "relists": feed.relists,
                    "lag_s": round(now - feed.last_event_at, 3) if feed.last_event_at is not None else None,
                }
        return found
