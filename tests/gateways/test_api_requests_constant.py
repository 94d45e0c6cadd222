"""One status makes a constant number of Kubernetes API requests, whatever the number of pods."""

from __future__ import annotations

from typing import Any

from bot.local.demo.seed import platform_objects
from bot.local.emulator import KubeEmulator


def requests_for_one_status(make_carbon: Any, extra_pods: int) -> list[tuple[str, str]]:
    with KubeEmulator() as kube:
        kube.add_all(platform_objects(extra_pods=extra_pods))
        carbon = make_carbon(kube)
        kube.reset_requests()
        carbon.slash("status")
        assert carbon.answers(), "status was not answered"
        return [(r.method, r.path) for r in kube.requests]


def test_request_count_does_not_grow_with_pods(make_carbon: Any) -> None:
    small = requests_for_one_status(make_carbon, 10)
    large = requests_for_one_status(make_carbon, 1000)
    assert sorted(small) == sorted(large)
    paths = [path for _, path in large]
    assert len(paths) == len(set(paths)), "a resource kind was listed twice in one status"
    assert all("/namespaces/" not in path for path in paths), "listed per namespace instead of across all"
    for kind in ("/api/v1/configmaps", "/api/v1/nodes", "/apis/networking.k8s.io/v1/networkpolicies",
                 "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings", "/apis/policy/v1/poddisruptionbudgets",
                 "/apis/velero.io/v1/backups"):
        assert kind in paths, f"{kind} was not read by the status (every check kind is counted)"


def test_big_lists_are_paged_not_split_by_namespace(make_carbon: Any) -> None:
    with KubeEmulator() as kube:
        kube.add_all(platform_objects(extra_pods=1000))
        carbon = make_carbon(kube)
        carbon.services.cluster.page_size = 300
        kube.reset_requests()
        carbon.slash("status")
        pod_requests = [r for r in kube.requests if r.path == "/api/v1/pods"]
        pods = len(kube.list("pods"))
        assert len(pod_requests) == -(-pods // 300)
        assert [r.query.get("limit") for r in pod_requests] == ["300"] * len(pod_requests)
        assert all("continue" in r.query for r in pod_requests[1:])
