"""labelSelector and fieldSelector through the real client, plus the parser's edge cases."""

from __future__ import annotations

import pytest
from kubernetes import client
from kubernetes.client.exceptions import ApiException

from bot.local.emulator import KubeEmulator
from bot.local.emulator.errors import ApiError
from bot.local.emulator.selectors import field_matcher, label_matcher

PODS = {
    "a": {"app": "web", "tier": "front", "env": "prod"},
    "b": {"app": "web", "tier": "back"},
    "c": {"app": "db", "env": "staging"},
    "d": {},
}


@pytest.fixture
def seeded(emu: KubeEmulator) -> KubeEmulator:
    for i, (name, labels) in enumerate(PODS.items()):
        emu.add({"apiVersion": "v1", "kind": "Pod",
                 "metadata": {"name": name, "namespace": "data", "labels": labels},
                 "spec": {"nodeName": f"node-{i % 2}", "containers": [{"name": "c", "image": "i"}]},
                 "status": {"phase": "Running" if name != "d" else "Failed"}})
    return emu


@pytest.mark.parametrize(("selector", "expected"), [
    ("app=web", ["a", "b"]),
    ("app==web", ["a", "b"]),
    ("app!=web", ["c", "d"]),
    ("app in (web,db)", ["a", "b", "c"]),
    ("app in (db, other)", ["c"]),
    ("tier notin (front)", ["b", "c", "d"]),
    ("env", ["a", "c"]),
    ("!env", ["b", "d"]),
    ("app=web,tier=back", ["b"]),
    ("app in (web,db),!tier", ["c"]),
    ("", ["a", "b", "c", "d"]),
])
def test_label_selector_forms(seeded: KubeEmulator, core: client.CoreV1Api, selector: str, expected: list[str]) -> None:
    names = [p.metadata.name for p in core.list_namespaced_pod("data", label_selector=selector).items]
    assert names == expected
    everywhere = [p.metadata.name for p in core.list_pod_for_all_namespaces(label_selector=selector).items]
    assert everywhere == expected


@pytest.mark.parametrize(("selector", "expected"), [
    ("metadata.name=b", ["b"]),
    ("metadata.namespace=data,status.phase!=Running", ["d"]),
    ("spec.nodeName=node-0", ["a", "c"]),
    ("spec.nodeName!=node-0,status.phase=Running", ["b"]),
])
def test_field_selector(seeded: KubeEmulator, core: client.CoreV1Api, selector: str, expected: list[str]) -> None:
    assert [p.metadata.name for p in core.list_pod_for_all_namespaces(field_selector=selector).items] == expected


def test_bad_selectors_are_400(seeded: KubeEmulator, core: client.CoreV1Api) -> None:
    for kwargs in ({"label_selector": "app in web"}, {"field_selector": "spec.bogus=1"}):
        with pytest.raises(ApiException) as err:
            core.list_namespaced_pod("data", **kwargs)
        assert err.value.status == 400


def test_matchers_directly() -> None:
    obj = {"metadata": {"name": "x", "labels": {"example.com/team": "ops", "replicas": "3"}}}
    assert label_matcher("example.com/team=ops")(obj)
    assert label_matcher("replicas>2,replicas<4")(obj)
    assert not label_matcher("replicas>3")(obj)
    assert label_matcher("missing notin (a)")(obj)
    assert not label_matcher("missing in (a)")(obj)
    assert field_matcher("metadata.name==x", "ConfigMap")(obj)
    with pytest.raises(ApiError):
        label_matcher("a b c")
