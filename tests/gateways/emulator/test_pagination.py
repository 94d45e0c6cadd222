"""limit/continue pagination returns every item exactly once, in (namespace, name) order."""

from __future__ import annotations

import pytest
from kubernetes import client
from kubernetes.client.exceptions import ApiException

from bot.local.emulator import KubeEmulator


def _seed(emu: KubeEmulator, count: int) -> list[tuple[str, str]]:
    keys = []
    for i in range(count):
        ns, name = f"ns-{i % 3}", f"pod-{i:03d}"
        emu.add({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": ns,
                                                                 "labels": {"even": str(i % 2 == 0).lower()}}})
        keys.append((ns, name))
    return sorted(keys)


@pytest.mark.parametrize("limit", [1, 7, 25, 200])
def test_pages_cover_everything_once(emu: KubeEmulator, core: client.CoreV1Api, limit: int) -> None:
    expected = _seed(emu, 50)
    seen: list[tuple[str, str]] = []
    token = None
    pages = 0
    while True:
        page = core.list_pod_for_all_namespaces(limit=limit, _continue=token)
        assert len(page.items) <= limit
        seen += [(p.metadata.namespace, p.metadata.name) for p in page.items]
        pages += 1
        token = page.metadata._continue
        if not token:
            break
        assert page.metadata.remaining_item_count == 50 - len(seen)
    assert seen == expected
    assert pages == -(-50 // limit)


def test_pagination_with_selector_and_writes_between_pages(emu: KubeEmulator, core: client.CoreV1Api) -> None:
    _seed(emu, 20)
    first = core.list_namespaced_pod("ns-0", label_selector="even=true", limit=2)
    emu.add({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "aaa", "namespace": "ns-0",
                                                             "labels": {"even": "true"}}})
    rest = core.list_namespaced_pod("ns-0", label_selector="even=true", _continue=first.metadata._continue)
    names = [p.metadata.name for p in first.items + rest.items]
    assert names == sorted(set(names))
    assert rest.metadata.resource_version == first.metadata.resource_version


def test_bad_continue_token_is_400(core: client.CoreV1Api) -> None:
    with pytest.raises(ApiException) as err:
        core.list_namespaced_pod("default", _continue="not-a-token")
    assert err.value.status == 400


def test_a_page_is_copies_of_what_it_serves_and_counts_the_rest(emu: KubeEmulator) -> None:
    """The store serves a page without copying the collection; what it hands out is a copy all the same."""
    _seed(emu, 30)
    rt = emu.registry.resolve("pods")
    even = lambda o: o["metadata"]["labels"]["even"] == "true"  # noqa: E731
    first, rest = emu.store.page(rt, None, even, None, 4)
    assert len(first) == 4 and rest == 11
    first[0]["metadata"]["name"] = "changed"
    again, _ = emu.store.page(rt, None, even, None, 4)
    assert again[0]["metadata"]["name"] != "changed"
    after = (again[-1]["metadata"]["namespace"], again[-1]["metadata"]["name"])
    tail, none_left = emu.store.page(rt, None, even, after, 0)
    assert len(tail) == 11 and none_left == 0
