"""A kubelet stand-in: gives each new pod the status a kubelet would, from the rules it applies.

In order, as a kubelet does: mount configMap/secret volumes (else `ContainerCreating`), pull the
image (a private registry needs a matching dockerconfigjson pull secret, else `ImagePullBackOff`),
build the container config from env/envFrom (else `CreateContainerConfigError`), then run the app,
which crashes (`CrashLoopBackOff`) when a need it declares (see `needs.py`) is not met.

Re-evaluation follows the kubelet too: a pod that never got going is retried when a ConfigMap or
Secret in its namespace changes (the kubelet's back-off retry); a running pod keeps the env it
started with, but its mounted files follow their ConfigMap/Secret, so losing a file it needs makes
it crash. A deleted source object leaves the mounted files in place (the remount fails). Only pods
this kubelet started are touched; seeded pods keep their hand-written status.
"""

from __future__ import annotations

import hashlib
from collections.abc import Hashable, Iterable
from typing import Any

from bot.local.emulator.inproc import InProcessClient
from bot.local.emulator.meta import now_rfc3339
from bot.local.emulator.needs import app_container, declared_needs, missing_needs, mounted_files, volumes_sourcing_files
from bot.local.emulator.podconfig import mount_failure, pull_failure, resolve_env
from bot.local.emulator.store import Change

Obj = dict[str, Any]
_CONFIG = ("configmaps", "secrets")


def is_ready(pod: Obj) -> bool:
    return any(c.get("type") == "Ready" and c.get("status") == "True" for c in (pod.get("status") or {}).get("conditions") or [])


class Kubelet:
    """The emulator controller that writes pod status."""

    def __init__(self, client: InProcessClient, private_registries: tuple[str, ...] = ()) -> None:
        self.client = client
        self.private_registries = tuple(private_registries)
        self._started: set[str] = set()  # uids of pods this kubelet runs

    def wants(self, change: Change) -> Iterable[Hashable]:
        meta = change.obj["metadata"]
        if change.resource == "pods" and change.type == "ADDED":
            return [("pod", meta.get("namespace", ""), meta["name"])]
        if change.resource in _CONFIG:
            return [("config", meta.get("namespace", ""), change.resource, meta["name"])]
        return []

    def reconcile(self, key: Hashable) -> None:
        assert isinstance(key, tuple)
        if key[0] == "pod":
            pod = self.client.get("pods", key[1], key[2])
            if pod is not None and not (pod.get("status") or {}).get("containerStatuses"):
                self._started.add(pod["metadata"]["uid"])
                self._write(pod, self.evaluate(pod))
            return
        _, namespace, resource, name = key
        for pod in self.client.list("pods", namespace):
            if pod["metadata"]["uid"] not in self._started:
                continue
            if not is_ready(pod):
                self._write(pod, self.evaluate(pod))
            elif (resource, name) in volumes_sourcing_files(pod) and mount_failure(pod, self._lookup) is None:
                self._write(pod, self._recheck_files(pod))

    def _lookup(self, resource: str, namespace: str, name: str) -> Obj | None:
        return self.client.get(resource, namespace, name)

    def _write(self, pod: Obj, status: Obj) -> None:
        self.client.update_status("pods", pod, status)

    def evaluate(self, pod: Obj) -> Obj:
        """The full start sequence for every container: the status the pod settles in."""
        namespace = pod["metadata"].get("namespace", "default")
        mount = mount_failure(pod, self._lookup)
        app = app_container(pod)
        states: dict[str, tuple[str, str]] = {}
        for container in (pod.get("spec") or {}).get("containers") or []:
            if mount:
                states[container["name"]] = ("ContainerCreating", "")
                continue
            image = container.get("image", "")
            pull = pull_failure(pod, image, self.private_registries, self._lookup)
            env, config_error = resolve_env(container, namespace, self._lookup)
            if pull:
                states[container["name"]] = ("ImagePullBackOff", pull)
            elif config_error:
                states[container["name"]] = ("CreateContainerConfigError", config_error)
            elif container is app and (missing := missing_needs(pod, env, mounted_files(pod, container, self._lookup))):
                states[container["name"]] = ("CrashLoopBackOff", crash_message(container["name"], missing))
            else:
                states[container["name"]] = ("", "")
        return pod_status(pod, states)

    def _recheck_files(self, pod: Obj) -> Obj:
        """A running pod after its mounted ConfigMap/Secret changed: only the file needs can fail."""
        app = app_container(pod)
        if not any(n.startswith("file:") for n in declared_needs(pod)):
            return pod["status"]
        env_needs = {n.partition(":")[2] for n in declared_needs(pod) if n.startswith("env:")}
        gone = missing_needs(pod, env_needs, mounted_files(pod, app, self._lookup))
        states = {c["name"]: ("", "") for c in pod["spec"]["containers"]}
        if gone:
            states[app["name"]] = ("CrashLoopBackOff", crash_message(app["name"], gone))
        return pod_status(pod, states)


def crash_message(container: str, missing: list[str]) -> str:
    return f"back-off restarting failed container {container}: the app exited, missing {', '.join(missing)}"


def _fake_ip(uid: str) -> str:
    digest = hashlib.sha256(uid.encode()).digest()
    return f"10.244.{digest[0]}.{digest[1] or 1}"


def pod_status(pod: Obj, states: dict[str, tuple[str, str]]) -> Obj:
    """The pod status for per-container (waiting reason, message) pairs; ("", "") = running."""
    old = pod.get("status") or {}
    old_containers = {c.get("name"): c for c in old.get("containerStatuses") or []}
    now = now_rfc3339()
    statuses = []
    for container in pod["spec"]["containers"]:
        name = container["name"]
        reason, message = states[name]
        before = old_containers.get(name) or {}
        restarts = int(before.get("restartCount", 0))
        entry: Obj = {"name": name, "image": container.get("image", ""), "imageID": "", "restartCount": restarts,
                      "ready": not reason, "started": not reason}
        if not reason:
            started = (before.get("state") or {}).get("running", {}).get("startedAt", now)
            entry["state"] = {"running": {"startedAt": started}}
            entry["containerID"] = f"containerd://{hashlib.sha256((pod['metadata']['uid'] + name).encode()).hexdigest()}"
        else:
            waiting: Obj = {"reason": reason, **({"message": message} if message else {})}
            entry["state"] = {"waiting": waiting}
            if reason == "CrashLoopBackOff":
                was_crashing = (before.get("state") or {}).get("waiting", {}).get("reason") == "CrashLoopBackOff"
                entry["restartCount"] = restarts if was_crashing else restarts + 1
                entry["lastState"] = {"terminated": {"exitCode": 1, "reason": "Error", "startedAt": now, "finishedAt": now}}
        if before.get("lastState") and "lastState" not in entry:
            entry["lastState"] = before["lastState"]
        statuses.append(entry)
    ran = any("running" in s["state"] or s["restartCount"] > 0 for s in statuses)
    ready = all(s["ready"] for s in statuses)
    return {
        "phase": "Running" if ran else "Pending",
        "conditions": _conditions(old, {"PodScheduled": True, "Initialized": True, "ContainersReady": ready,
                                        "Ready": ready}, now),
        "hostIP": "10.0.0.10", "podIP": _fake_ip(pod["metadata"]["uid"]),
        "startTime": old.get("startTime", now), "containerStatuses": statuses,
        **({"qosClass": old["qosClass"]} if "qosClass" in old else {"qosClass": "BestEffort"}),
    }


def _conditions(old: Obj, wanted: dict[str, bool], now: str) -> list[Obj]:
    """Pod conditions, keeping lastTransitionTime when a condition's status did not change."""
    before = {c.get("type"): c for c in old.get("conditions") or []}
    out = []
    for kind, ok in wanted.items():
        status = "True" if ok else "False"
        prev = before.get(kind) or {}
        cond: Obj = {"type": kind, "status": status,
                     "lastTransitionTime": prev.get("lastTransitionTime", now) if prev.get("status") == status else now}
        if not ok and kind in ("Ready", "ContainersReady"):
            cond["reason"] = "ContainersNotReady"
        out.append(cond)
    return out
