"""The view lists, then follows adds, updates and deletes; and recovers from a dropped watch, a 410 and a restart."""

from __future__ import annotations

from typing import Any

from bot.cluster.gateway import ClusterGateway
from bot.cluster.stream import open_watch
from bot.local.emulator import KubeEmulator
from tests.gateways.view.conftest import names, pod, wait_for


def ready(view: Any, name: str) -> bool:
    found = next((o for o in view.items("pods") if o["metadata"]["name"] == name), None)
    return found is not None and found["status"]["conditions"][0]["status"] == "True"


def test_syncs_then_follows_adds_updates_and_deletes(kube: KubeEmulator, make_view: Any) -> None:
    kube.add_all([pod("a"), pod("b", ready=False)])
    view = make_view()
    assert names(view) == {"a", "b"}
    assert view.state()["pods"]["state"] == "synced"
    kube.add(pod("c"))
    kube.add(pod("b", ready=True))
    kube.client.delete("pods", pod("a"))
    wait_for(lambda: names(view) == {"b", "c"} and ready(view, "b"))
    assert view.state()["pods"]["events"] >= 3
    assert view.state()["pods"]["relists"] == 1  # followed by the watch, not by listing again


def test_paginates_the_initial_list(kube: KubeEmulator, make_view: Any) -> None:
    kube.add_all([pod(f"p{i:03}") for i in range(25)])
    kube.reset_requests()
    view = make_view(page_size=10)
    assert len(view.items("pods")) == 25
    lists = [r for r in kube.requests if r.method == "GET" and r.query.get("watch") != "true"]
    assert [r.query.get("limit") for r in lists] == ["10", "10", "10"]


def test_a_sync_steps_aside_for_acks_within_a_page_not_only_between_pages(kube: KubeEmulator, make_view: Any) -> None:
    """Trimming a page is Python work that holds the GIL in turns; the feed pauses (for acks) every 100 objects."""
    kube.add_all([pod(f"p{i:03}") for i in range(250)])
    trimmed: list[str] = []
    paused_at: list[int] = []

    def trim(plural: str, obj: dict[str, Any]) -> dict[str, Any]:
        trimmed.append(obj["metadata"]["name"])
        return obj

    view = make_view(page_size=500, trim=trim, pause=lambda: paused_at.append(len(trimmed)))
    assert len(view.items("pods")) == 250
    assert paused_at[:4] == [0, 100, 200, 250]  # before the page, twice within it, after it


def test_a_dropped_watch_resumes_without_listing_again(kube: KubeEmulator, make_view: Any) -> None:
    view = make_view(watch_s=1)  # the server ends each watch after a second: the view resumes from its version
    kube.add(pod("x"))
    wait_for(lambda: "x" in names(view))
    wait_for(lambda: sum(1 for r in kube.requests if r.query.get("watch") == "true") >= 3)
    kube.add(pod("y"))
    wait_for(lambda: "y" in names(view))
    assert view.state()["pods"]["relists"] == 1


def test_410_gone_lists_again(kube: KubeEmulator, make_view: Any) -> None:
    view = make_view()
    kube.add(pod("before"))
    wait_for(lambda: "before" in names(view))
    port = int(kube.url.rsplit(":", 1)[1])
    kube.stop()  # while it is away the log is compacted: the view's version is too old when it comes back
    kube.add(pod("during"))
    kube.client.delete("pods", pod("before"))
    kube.compact()
    kube.start(port)
    wait_for(lambda: names(view) == {"during"})
    wait_for(lambda: view.state()["pods"]["relists"] >= 2)


def test_an_api_server_restart_on_the_same_port_is_followed(kube: KubeEmulator, make_view: Any) -> None:
    view = make_view()
    kube.add(pod("one"))
    wait_for(lambda: "one" in names(view))
    port = int(kube.url.rsplit(":", 1)[1])
    kube.stop()
    kube.add(pod("two"))  # written while the server is down: the watch resumes from before it
    kube.start(port)
    wait_for(lambda: names(view) == {"one", "two"})
    kube.add(pod("three"))
    wait_for(lambda: "three" in names(view))
    assert view.state()["pods"]["state"] == "synced"


def test_a_quiet_watch_gets_bookmarks_at_the_newest_version(kube: KubeEmulator) -> None:
    gateway = ClusterGateway(kube.api_client())
    listed = next(gateway.pages("pods"))["metadata"]["resourceVersion"]
    kube.add({"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n1"}})  # another kind moves the version
    newest = str(kube.store.resource_version)
    seen = []
    for event in open_watch(gateway, "pods", listed, timeout_s=3):
        seen.append((event["type"], event["object"]["metadata"]["resourceVersion"]))
        if event["type"] == "BOOKMARK":
            break
    assert seen == [("BOOKMARK", newest)]
