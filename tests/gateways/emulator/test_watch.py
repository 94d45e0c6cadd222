"""Watch streams through `kubernetes.watch.Watch`: initial state, changes, resume, selectors."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from kubernetes import client, watch
from kubernetes.client.exceptions import ApiException

from bot.local.emulator import KubeEmulator
from bot.local.emulator.store import EVENT_LOG_SIZE
from tests.gateways.emulator.builders import pod


def _collect(core: client.CoreV1Api, count: int, **kwargs: Any) -> list[tuple[str, str]]:
    events: list[tuple[str, str]] = []
    w = watch.Watch()
    for event in w.stream(core.list_namespaced_pod, "default", timeout_seconds=5, **kwargs):
        events.append((event["type"], event["object"].metadata.name))
        if len(events) >= count:
            w.stop()
    return events


def test_watch_from_now_sees_initial_state_then_changes(emu: KubeEmulator, core: client.CoreV1Api) -> None:
    core.create_namespaced_pod("default", pod("before"))

    def writer() -> None:
        core.create_namespaced_pod("default", pod("during"))
        core.patch_namespaced_pod("during", "default", {"metadata": {"labels": {"x": "y"}}})
        core.delete_namespaced_pod("during", "default")

    timer = threading.Timer(0.2, writer)
    timer.start()
    events = _collect(core, 4)
    timer.join()
    assert events == [("ADDED", "before"), ("ADDED", "during"), ("MODIFIED", "during"), ("DELETED", "during")]


def test_watch_resumes_from_list_resource_version(emu: KubeEmulator, core: client.CoreV1Api) -> None:
    core.create_namespaced_pod("default", pod("old"))
    rv = core.list_namespaced_pod("default").metadata.resource_version
    core.create_namespaced_pod("default", pod("new"))
    assert _collect(core, 1, resource_version=rv) == [("ADDED", "new")]


def test_watch_selector_transitions(emu: KubeEmulator, core: client.CoreV1Api) -> None:
    rv = core.list_namespaced_pod("default").metadata.resource_version
    core.create_namespaced_pod("default", pod("p", {"app": "web"}))
    core.patch_namespaced_pod("p", "default", {"metadata": {"labels": {"app": "db"}}})
    core.create_namespaced_pod("default", pod("q", {"app": "db"}))
    events = _collect(core, 2, resource_version=rv, label_selector="app=web")
    assert events == [("ADDED", "p"), ("DELETED", "p")]


def test_watch_times_out_cleanly(emu: KubeEmulator, core: client.CoreV1Api) -> None:
    events = list(watch.Watch().stream(core.list_namespaced_pod, "default", timeout_seconds=1))
    assert events == []


def test_watch_too_old_resource_version_is_410(emu: KubeEmulator, core: client.CoreV1Api) -> None:
    for i in range(EVENT_LOG_SIZE // 1000 + 1):
        emu.add({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"c{i}"}})
    emu.store._log.clear()  # pretend compaction happened
    with pytest.raises(ApiException) as err:
        _collect(core, 1, resource_version="1")
    assert err.value.status == 410


def test_stop_ends_open_watches() -> None:
    emu = KubeEmulator().start()
    api = emu.api_client()
    core = client.CoreV1Api(api)
    core.create_namespaced_pod("default", pod("first"))
    streaming, done = threading.Event(), threading.Event()

    def follow() -> None:
        try:
            for _ in watch.Watch().stream(core.list_namespaced_pod, "default", timeout_seconds=30):
                streaming.set()  # the initial ADDED event: the watch is open
        except Exception:  # the connection may be cut mid-stream; ending is what matters
            pass
        done.set()

    thread = threading.Thread(target=follow, daemon=True)
    thread.start()
    assert streaming.wait(5)
    emu.stop()
    assert done.wait(5)
    api.close()
