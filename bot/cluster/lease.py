"""Leader election over a Kubernetes Lease (coordination.k8s.io/v1), as client-go's leaderelection does it.

Only the leader runs the scheduled jobs and executes approved runs. `step()` is one round: acquire the
Lease when it is free or expired, renew it when held; every write is a compare-and-swap on
resourceVersion, so of two contenders exactly one wins (the other gets 409 Conflict). Expiry is judged
by when *this* process first saw the current record (not by the holder's clock), so clock skew
between pods cannot make two leaders. A leader that cannot renew before its renew deadline (2/3 of
the lease), or finds the Lease taken, stops leading at once. With no cluster configured, the single
instance leads. The clock is injected: tests move time instead of sleeping.

The Lease also carries the leader's marks (annotations `carbon-bot/<key>`, e.g. when the last digest was
posted): a new leader adopts them, so a handover does not post the same digest again even when each
replica has its own store.

RBAC: get, create, update on `leases` in the lease namespace.
"""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import structlog

from bot.cluster.gateway import ClusterGateway, Conflict
from bot.errors import Unavailable

log = structlog.get_logger(__name__)
MARK_PREFIX = "carbon-bot/"
POD_NAMESPACE_FILE = Path("/var/run/secrets/kubernetes.io/serviceaccount/namespace")


def default_identity() -> str:
    return f"{socket.gethostname()}-{os.getpid()}"


def pod_namespace(path: Path = POD_NAMESPACE_FILE) -> str:
    try:
        return path.read_text(encoding="utf-8").strip() or "default"
    except OSError:
        return "default"


def micro_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class LeaderElector:
    def __init__(self, cluster: ClusterGateway | None, *, name: str, namespace: str, identity: str,
                 duration_s: int, clock: Callable[[], datetime],
                 on_start: Callable[[], None] = lambda: None, on_stop: Callable[[], None] = lambda: None) -> None:
        self.cluster = cluster.with_timeout(max(1.0, duration_s / 3)) if cluster else None
        self.name, self.namespace, self.identity = name, namespace, identity
        self.duration = timedelta(seconds=duration_s)
        self.renew_deadline = self.duration * 2 / 3
        self.clock = clock
        self.on_start, self.on_stop = on_start, on_stop
        self.is_leader = False
        self._renewed_at: datetime | None = None
        self._observed: tuple[str, datetime] | None = None  # (record seen, local time first seen)
        self.marks: dict[str, str] = {}
        self._lock = threading.RLock()  # the lease job and a job recording a mark may step at once

    def leading(self) -> bool:
        """Leads and renewed within the renew deadline: what a job asks before it does anything."""
        return self.is_leader and (self.cluster is None or (
            self._renewed_at is not None and self.clock() - self._renewed_at <= self.renew_deadline))

    @property
    def retry_period_s(self) -> float:
        return self.duration.total_seconds() / 3

    def mark(self, key: str) -> str | None:
        return self.marks.get(key)

    def remember(self, key: str, value: str) -> None:
        """Record a mark and, when leading, write it to the Lease now (not only at the next renewal)."""
        with self._lock:
            self.marks[key] = value
            if self.is_leader and self.cluster is not None:
                self.step()

    def step(self) -> bool:
        """One round of acquire-or-renew; returns whether this instance leads afterwards."""
        with self._lock:
            return self._step()

    def _step(self) -> bool:
        now = self.clock()
        if self.cluster is None:
            self._lead(now)
            return True
        try:
            self._round(now)
        except Unavailable as exc:
            log.warning("lease_unavailable", lease=self.name, reason=str(exc))
        if self.is_leader and self._renewed_at is not None and now - self._renewed_at > self.renew_deadline:
            self._stop("renew deadline passed")
        return self.is_leader

    def _round(self, now: datetime) -> None:
        lease = self.cluster.get_lease(self.namespace, self.name) if self.cluster else None
        if lease is None:
            self._write(now, None, transitions=0)
            return
        spec = lease.get("spec") or {}
        holder = spec.get("holderIdentity") or ""
        record = f"{holder}|{spec.get('renewTime')}|{lease['metadata'].get('resourceVersion')}"
        if self._observed is None or self._observed[0] != record:
            self._observed = (record, now)
        if holder != self.identity:  # adopt what the previous leader recorded
            annotations = lease["metadata"].get("annotations") or {}
            self.marks.update({k.removeprefix(MARK_PREFIX): v for k, v in annotations.items() if k.startswith(MARK_PREFIX)})
        if holder == self.identity:
            self._write(now, lease, transitions=int(spec.get("leaseTransitions") or 0))
            return
        if self.is_leader:
            self._stop(f"lease taken by {holder}")
        duration = timedelta(seconds=int(spec.get("leaseDurationSeconds") or self.duration.total_seconds()))
        if not holder or now >= self._observed[1] + duration:
            self._write(now, lease, transitions=int(spec.get("leaseTransitions") or 0) + 1)

    def _write(self, now: datetime, lease: dict[str, Any] | None, transitions: int) -> None:
        held = lease is not None and (lease.get("spec") or {}).get("holderIdentity") == self.identity
        spec = {"holderIdentity": self.identity, "leaseDurationSeconds": int(self.duration.total_seconds()),
                "renewTime": micro_time(now), "leaseTransitions": transitions,
                "acquireTime": (lease or {}).get("spec", {}).get("acquireTime") if held else micro_time(now)}
        body: dict[str, Any] = {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
                                "metadata": {"name": self.name, "namespace": self.namespace,
                                             "annotations": {MARK_PREFIX + k: v for k, v in self.marks.items()}},
                                "spec": spec}
        try:
            assert self.cluster is not None
            if lease is None:
                self.cluster.create_lease(self.namespace, body)
            else:
                body["metadata"]["resourceVersion"] = lease["metadata"]["resourceVersion"]
                self.cluster.replace_lease(self.namespace, self.name, body)
        except Conflict:
            if self.is_leader:
                self._stop("lost the lease to another instance")
            return
        self._lead(now)

    def _lead(self, now: datetime) -> None:
        self._renewed_at = now
        if not self.is_leader:
            self.is_leader = True
            log.info("leader_started", identity=self.identity, lease=f"{self.namespace}/{self.name}")
            self.on_start()

    def _stop(self, why: str) -> None:
        self.is_leader = False
        self._renewed_at = None
        log.warning("leader_stopped", identity=self.identity, reason=why)
        self.on_stop()

    def release(self) -> None:
        """On a clean shutdown: stop, and free the Lease so another instance takes over at its next round."""
        with self._lock:
            self._release()

    def _release(self) -> None:
        if not self.is_leader:
            return
        self._stop("shutting down")
        if self.cluster is None:
            return
        try:
            lease = self.cluster.get_lease(self.namespace, self.name)
            if lease and (lease.get("spec") or {}).get("holderIdentity") == self.identity:
                lease["spec"]["holderIdentity"] = ""
                self.cluster.replace_lease(self.namespace, self.name, lease)
        except Unavailable:
            pass  # it expires by itself
