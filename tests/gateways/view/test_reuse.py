"""What a measurement reuses from the last one through the view: only what nothing it read has changed, never a
result from a kind that has not synced, never one that read Vault, the clock or an undeclared kind."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel

from bot.checks.base import CheckKind, CheckResult, Params
from bot.checks.certificates import CERTIFICATES_READY, CertificatesParams
from bot.local.emulator import KubeEmulator
from bot.snapshot.reuse import Reuse
from bot.snapshot.snapshot import Snapshot
from tests.gateways.view.conftest import names, pod, wait_for

NOW = datetime(2026, 1, 5, tzinfo=UTC)


def certificate(name: str, ready: bool, namespace: str = "web") -> dict[str, Any]:
    return {"apiVersion": "cert-manager.io/v1", "kind": "Certificate", "metadata": {"name": name, "namespace": namespace},
            "status": {"conditions": [{"type": "Ready", "status": "True" if ready else "False"}]}}


def measured(view: Any, reuse: Reuse, kind: CheckKind, params: BaseModel, key: str = "task") -> CheckResult:
    snapshot = Snapshot(view.gateway, None, NOW, view=view, reuse=reuse)
    return snapshot.reused(key, kind.reads, lambda reader: kind.run(params, reader))


def test_a_kind_that_never_synced_is_not_kept_and_is_measured_once_it_syncs(kube: KubeEmulator, make_view: Any) -> None:
    kube.register_resource("cert-manager.io", "v1", "Certificate", "certificates")
    kube.add(certificate("web-tls", True))
    kube.fail("certificates", status=403, verb="list")
    view = make_view(kinds=("certificates",))
    reuse, params = Reuse(), CertificatesParams(certificates=("web/web-tls",))

    def result() -> CheckResult:
        try:
            return measured(view, reuse, CERTIFICATES_READY, params)
        except Exception as exc:  # what measure() turns into `unknown`, with the reason
            return CheckResult.unknown(str(exc))

    assert result().state.value == "unknown"
    assert result().state.value == "unknown"
    assert reuse.reused["task"] == 0  # a failure is never kept: each measurement asks again
    kube.clear_failures()
    wait_for(lambda: view.state()["certificates"]["synced"])
    assert result().summary == "1/1 certificates Ready"
    assert result().summary == "1/1 certificates Ready"
    assert (reuse.computed["task"], reuse.reused["task"]) == (1, 1)  # measured once synced, then kept


def test_a_result_stands_until_a_namespace_it_read_changes(kube: KubeEmulator, make_view: Any) -> None:
    kube.register_resource("cert-manager.io", "v1", "Certificate", "certificates")
    kube.add_all([certificate("web-tls", False), certificate("other-tls", True, "other")])
    view = make_view(kinds=("certificates",))
    wait_for(lambda: view.state()["certificates"]["synced"])
    reuse, params = Reuse(), CertificatesParams(certificates=("web/web-tls",))
    assert measured(view, reuse, CERTIFICATES_READY, params).summary == "0/1 certificates Ready"
    kube.add(certificate("another-tls", False, "other"))  # another namespace: the check did not read it
    wait_for(lambda: view.state()["certificates"]["objects"] == 3)
    assert measured(view, reuse, CERTIFICATES_READY, params).summary == "0/1 certificates Ready"
    assert reuse.computed["task"] == 1
    kube.add(certificate("web-tls", True))
    wait_for(lambda: view.state()["certificates"]["events"] == 2)
    assert measured(view, reuse, CERTIFICATES_READY, params).summary == "1/1 certificates Ready"
    assert reuse.computed["task"] == 2


class NoParams(Params):
    pass


def test_a_check_reading_an_undeclared_kind_vault_or_the_clock_is_measured_every_time(kube: KubeEmulator,
                                                                                      make_view: Any) -> None:
    kube.add(pod("a"))
    view = make_view(kinds=("pods", "nodes"))
    wait_for(lambda: view.state()["nodes"]["synced"] and names(view) == {"a"})
    reuse = Reuse()

    def undeclared(params: NoParams, snapshot: Snapshot) -> CheckResult:
        return CheckResult.measured(len(snapshot.items("pods")), len(snapshot.items("nodes")) or 1, "pods and nodes")

    def clock(params: NoParams, snapshot: Snapshot) -> CheckResult:
        return CheckResult.measured(len(snapshot.items("pods")), 1, f"at {snapshot.taken_at:%H}")

    def vault(params: NoParams, snapshot: Snapshot) -> CheckResult:
        try:
            snapshot.vault.addr  # noqa: B018 (reading it is the point)
        except Exception:
            pass
        return CheckResult.measured(len(snapshot.items("pods")), 1, "pods and Vault")

    def declared(params: NoParams, snapshot: Snapshot) -> CheckResult:
        return CheckResult.measured(len(snapshot.items("pods")), 1, "pods")

    kinds = {"undeclared": CheckKind("undeclared", NoParams, undeclared, reads=("pods",)),
             "clock": CheckKind("clock", NoParams, clock, reads=("pods",)),
             "vault": CheckKind("vault", NoParams, vault, reads=("pods",)),
             "nothing declared": CheckKind("nothing", NoParams, declared),
             "declared": CheckKind("declared", NoParams, declared, reads=("pods",))}
    for _ in range(3):
        for key, kind in kinds.items():
            measured(view, reuse, kind, NoParams(), key)
    assert {key: reuse.computed[key] for key in kinds} == {
        "undeclared": 3, "clock": 3, "vault": 3, "nothing declared": 3, "declared": 1}


def test_a_relist_keeps_the_version_of_each_namespace_that_did_not_change(kube: KubeEmulator, make_view: Any) -> None:
    kube.fail("pods", status=403, verb="watch")  # timed lists: every list replaces the kind
    kube.add_all([pod("a", "one"), pod("b", "two")])
    view = make_view(fallback_s=0.05)
    wait_for(lambda: names(view) == {"a", "b"})
    one, two, whole = view.version("pods", "one"), view.version("pods", "two"), view.version("pods")
    relists = view.state()["pods"]["relists"]
    wait_for(lambda: view.state()["pods"]["relists"] >= relists + 3)
    assert (view.version("pods", "one"), view.version("pods", "two"), view.version("pods")) == (one, two, whole)
    kube.add(pod("c", "two"))
    wait_for(lambda: "c" in names(view))
    assert view.version("pods", "one") == one
    assert view.version("pods", "two") != two and view.version("pods") != whole
