"""Where the watch is refused the kind is read by timed lists (and says so); a CRD installed later is picked up;
a kind that has never synced is never read as empty."""

from __future__ import annotations

from typing import Any

import pytest

from bot import messages
from bot.cluster.gateway import NotFound
from bot.errors import Unavailable
from bot.local.emulator import KubeEmulator
from tests.gateways.view.conftest import names, pod, wait_for


def test_watch_forbidden_falls_back_to_timed_lists(kube: KubeEmulator, make_view: Any) -> None:
    kube.fail("pods", status=403, verb="watch")
    kube.add(pod("a"))
    view = make_view()
    wait_for(lambda: view.fallbacks() == {"pods": "watch refused (403)"})
    kube.add(pod("b"))
    wait_for(lambda: names(view) == {"a", "b"})  # the next timed list brings it
    assert view.state()["pods"]["state"] == "timed lists (watch refused (403))"
    assert messages.view_footer(view.fallbacks()) == "(watched; timed lists for pods: watch refused (403))"


def test_a_crd_installed_while_running_is_picked_up(kube: KubeEmulator, make_view: Any) -> None:
    schedules = kube.uninstall_resource("schedules")
    view = make_view(kinds=("schedules",))
    with pytest.raises(NotFound):  # what the backup risk rule reads as "Velero is not installed"
        view.items("schedules")
    assert view.state()["schedules"]["state"].startswith("unavailable: Schedule is not served")
    kube.registry.register(schedules)
    kube.add({"apiVersion": "velero.io/v1", "kind": "Schedule", "metadata": {"name": "daily", "namespace": "velero"}})
    wait_for(lambda: view.state()["schedules"]["synced"])
    assert names(view, "schedules") == {"daily"}
    kube.add({"apiVersion": "velero.io/v1", "kind": "Schedule", "metadata": {"name": "hourly", "namespace": "velero"}})
    wait_for(lambda: names(view, "schedules") == {"daily", "hourly"})  # and then watched
    assert view.fallbacks() == {}


def test_a_kind_never_synced_is_unavailable_with_the_reason_not_empty(kube: KubeEmulator, make_view: Any) -> None:
    kube.fail("pods", status=403)
    view = make_view()
    with pytest.raises(Unavailable, match=r"denied list pods \(403 Forbidden\)"):
        view.items("pods")
    kube.clear_failures()
    kube.add(pod("a"))
    wait_for(lambda: view.state()["pods"]["synced"])
    assert names(view) == {"a"}


def test_a_kind_still_syncing_is_unavailable_after_the_bounded_wait(kube: KubeEmulator, make_view: Any) -> None:
    import threading

    hold = threading.Event()
    rule = kube.fail("pods", status=0, verb="list", hold=hold, times=1)
    view = make_view(sync_wait_s=0.1)
    assert rule is not None and rule.reached.wait(10)
    with pytest.raises(Unavailable, match="has not synced"):
        view.items("pods")
    assert view.state()["pods"]["state"] == "syncing"
    hold.set()
    wait_for(lambda: view.state()["pods"]["synced"])
