"""Request recording and failure injection, observed through the real client."""

from __future__ import annotations

import json

import pytest
from kubernetes import client
from kubernetes.client.exceptions import ApiException

from bot.local.emulator import KubeEmulator, RecordedRequest
from tests.gateways.emulator.builders import deployment_manifest, pod


def test_every_request_is_recorded(emu: KubeEmulator, core: client.CoreV1Api) -> None:
    emu.reset_requests()
    core.create_namespaced_pod("default", pod("p"))
    core.list_namespaced_pod("default", label_selector="app=x", limit=5)
    with pytest.raises(ApiException):
        core.read_namespaced_pod("missing", "default")
    reqs = emu.requests
    assert [(r.method, r.path, r.status) for r in reqs] == [
        ("POST", "/api/v1/namespaces/default/pods", 201),
        ("GET", "/api/v1/namespaces/default/pods", 200),
        ("GET", "/api/v1/namespaces/default/pods/missing", 404),
    ]
    assert reqs[1].query == {"labelSelector": "app=x", "limit": "5"}
    assert json.loads(reqs[0].body)["metadata"]["name"] == "p"
    assert isinstance(reqs[0], RecordedRequest)
    emu.reset_requests()
    assert emu.requests == []


def test_fail_with_times_then_recovers(emu: KubeEmulator, core: client.CoreV1Api) -> None:
    emu.fail("pods", status=403, times=2)
    for _ in range(2):
        with pytest.raises(ApiException) as err:
            core.list_namespaced_pod("default")
        assert err.value.status == 403
        body = json.loads(err.value.body)
        assert body["reason"] == "Forbidden"
        assert body["message"].startswith('pods is forbidden: User "system:serviceaccount:carbon:carbon" cannot list')
    assert core.list_namespaced_pod("default").items == []
    assert [r.status for r in emu.requests] == [403, 403, 200]


def test_fail_filters_by_method_namespace_and_subresource(emu: KubeEmulator, core: client.CoreV1Api,
                                                          apps: client.AppsV1Api) -> None:
    emu.add(deployment_manifest("d", replicas=1))
    emu.fail("deployments/scale", status=500, method="PATCH", namespace="data", reason="InternalError")
    assert apps.read_namespaced_deployment_scale("d", "data").spec.replicas == 1
    with pytest.raises(ApiException) as err:
        apps.patch_namespaced_deployment_scale("d", "data", {"spec": {"replicas": 3}})
    assert err.value.status == 500 and json.loads(err.value.body)["reason"] == "InternalError"
    apps.patch_namespaced_deployment("d", "data", {"spec": {"replicas": 2}})  # main resource unaffected
    emu.clear_failures()
    assert apps.patch_namespaced_deployment_scale("d", "data", {"spec": {"replicas": 3}}).spec.replicas == 3


def test_fail_reasons_follow_status(emu: KubeEmulator, core: client.CoreV1Api) -> None:
    for code, reason in ((404, "NotFound"), (500, "InternalError"), (503, "ServiceUnavailable")):
        emu.fail("configmaps", status=code, times=1)
        with pytest.raises(ApiException) as err:
            core.list_namespaced_config_map("default")
        assert err.value.status == code and json.loads(err.value.body)["reason"] == reason


def test_429_carries_retry_after_so_urllib3_retries_it(emu: KubeEmulator, core: client.CoreV1Api) -> None:
    """Like kube-apiserver's priority-and-fairness throttling: the client transparently retries."""
    emu.fail("configmaps", status=429, times=1)
    assert core.list_namespaced_config_map("default").items == []
    assert [r.status for r in emu.requests] == [429, 200]


def test_a_delay_only_rule_answers_normally_and_is_used_up(emu: KubeEmulator, core: client.CoreV1Api) -> None:
    """status=0 only slows a request (tests never time it): the answer is the normal one, the rule is used once."""
    emu.fail("pods", status=0, delay_s=0.01, times=1)
    emu.fail("pods", status=503, times=1)  # behind the delay rule: reached only once the delay rule is used up
    assert core.list_namespaced_pod("default").items == []
    with pytest.raises(ApiException) as err:
        core.list_namespaced_pod("default")
    assert err.value.status == 503
    assert [r.status for r in emu.requests] == [200, 503]
