"""Status through the watch-fed view: the same answer as direct lists, fresh after a change, its state in /readyz
and /metrics, and a kind that never synced shown as unknown with the reason."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from bot.app.readiness import Readiness
from bot.local.demo.seed import REGISTRY, pod
from tests.fixtures.bot import Carbon


def wait_for(condition: Callable[[], Any], timeout: float = 15.0) -> Any:
    deadline = time.monotonic() + timeout
    while not (found := condition()):
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.02)
    return found


def results(carbon: Carbon) -> dict[str, tuple[str, str, tuple[str, ...]]]:
    view, findings = carbon.services.meter.measure_with_risks()
    found = {t.task.id: (t.result.state.value, t.result.summary, tuple(t.result.evidence))
             for p in view.phases for t in p.tasks}
    found["risks"] = ("", "", tuple(sorted(f.fingerprint for f in findings)))
    return found


def test_the_view_measures_exactly_what_direct_lists_measure(make_carbon: Any, platform: Any) -> None:
    direct = make_carbon(platform)
    watched = make_carbon(platform, view=True)
    wait_for(lambda: all(row["synced"] or row["state"].startswith("unavailable")
                         for row in watched.services.view.state().values()))
    assert results(watched) == results(direct)


def synced(carbon: Carbon) -> None:
    wait_for(lambda: all(row["synced"] or row["state"].startswith("unavailable")
                         for row in carbon.services.view.state().values()))


def test_after_changes_the_reused_measurement_is_what_direct_lists_measure(make_carbon: Any, platform: Any) -> None:
    direct = make_carbon(platform)
    watched = make_carbon(platform, view=True)
    synced(watched)
    results(watched)  # every check and rule kept from here on
    crashing = pod("registry", "harbor-core-0", "harbor", f"{REGISTRY}/harbor/core:2", waiting="CrashLoopBackOff")
    cert = platform.get("certificates", "dolphinscheduler-tls", "data-platform")
    cert["status"] = {"conditions": [{"type": "Ready", "status": "True"}]}
    configmap = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "late", "namespace": "monitoring"},
                 "data": {"API_TOKEN": "canary-value-1f3a"}}
    view = watched.services.view
    events = {k: view.state()[k]["events"] for k in ("pods", "certificates", "configmaps", "networkpolicies")}
    platform.add_all([crashing, cert, configmap])
    platform.client.delete("networkpolicies", platform.list("networkpolicies")[0])
    wait_for(lambda: all(view.state()[k]["events"] > n for k, n in events.items()))
    assert results(watched) == results(direct)
    reuse = watched.services.meter.reuse
    assert reuse.reused[("check", "multi-node")] >= 1  # nodes did not change: kept, not measured again


def test_a_change_is_measured_again_only_where_it_was_read(make_carbon: Any, platform: Any) -> None:
    carbon = make_carbon(platform, view=True)
    synced(carbon)
    meter, view = carbon.services.meter, carbon.services.view
    meter.measure_with_risks()
    computed, partials = meter.reuse.computed.copy(), meter.reuse.partials_computed.copy()
    cert = platform.get("certificates", "dolphinscheduler-tls", "data-platform")
    cert["status"] = {"conditions": [{"type": "Ready", "status": "True"}]}
    platform.add(cert)
    wait_for(lambda: view.state()["certificates"]["events"] >= 1)
    progress, _ = meter.measure_with_risks()
    assert progress.task("tls-certificates").result.summary.startswith("9/9")
    ran = meter.reuse.computed - computed
    assert ran[("check", "tls-certificates")] == 1 and ran[("rule", "certificate_not_ready")] == 1
    for kept in ("cluster-health", "network-policies", "harbor-registry", "rbac-least-privilege", "multi-node"):
        assert ran[("check", kept)] == 0, kept
    assert ran[("rule", "failing_pods")] == 0 and ran[("rule", "plaintext_credentials")] == 0
    assert ran[("check", "vault-unsealed")] == 1  # Vault is asked every time: the view does not follow it
    assert meter.reuse.partials_computed == partials  # no pod changed: no namespace counted again

    computed = meter.reuse.computed.copy()
    platform.add(pod("monitoring", "grafana-0", "grafana", f"{REGISTRY}/monitoring/grafana:10", ready=False))
    wait_for(lambda: view.state()["pods"]["events"] >= 1)
    progress, _ = meter.measure_with_risks()
    assert "grafana-0" in " ".join(progress.task("cluster-health").result.evidence)
    ran = meter.reuse.computed - computed
    assert ran[("check", "cluster-health")] == 1 and ran[("check", "grafana")] == 1
    assert ran[("check", "harbor-registry")] == 0 and ran[("check", "tls-certificates")] == 0
    recounted = meter.reuse.partials_computed - partials
    assert recounted and {namespace for _, namespace in recounted} == {"monitoring"}


def test_a_change_in_the_cluster_reaches_the_next_status(make_carbon: Any, platform: Any) -> None:
    carbon = make_carbon(platform, view=True, CARBON_STATUS_CACHE_S="60")
    carbon.slash("status p2")
    assert "8/9 certificates Ready" in str(carbon.last_answer())
    cert = platform.get("certificates", "dolphinscheduler-tls", "data-platform")
    cert["status"] = {"conditions": [{"type": "Ready", "status": "True"}]}
    platform.add(cert)
    wait_for(lambda: carbon.services.meter.measure().task("tls-certificates").result.summary.startswith("9/9"))
    carbon.slash("status p2")
    assert "9/9 certificates Ready" in str(carbon.last_answer())
    assert "(watched)" in str(carbon.last_answer())


def test_readyz_and_metrics_report_the_view_per_kind(make_carbon: Any, platform: Any) -> None:
    carbon = make_carbon(platform, view=True)
    wait_for(lambda: carbon.services.view.state()["pods"]["synced"])
    report = Readiness(carbon.services)()
    assert report["view"]["pods"] == "synced"
    exposition = carbon.services.metrics.exposition().decode()
    for name in ("carbon_view_events_total", "carbon_view_relists_total", "carbon_view_lag_seconds",
                 "carbon_view_objects"):
        assert f'{name}{{kind="pods"}}' in exposition


def test_a_kind_that_never_synced_is_unknown_with_the_reason(make_carbon: Any, platform: Any) -> None:
    platform.fail("certificates", status=403)
    carbon = make_carbon(platform, view=True)
    carbon.slash("status p2")
    shown = str(carbon.last_answer())
    assert "denied list certificates (403 Forbidden)" in shown
    assert carbon.services.meter.measure().task("tls-certificates").result.state.value == "unknown"


def test_every_bundled_check_that_reads_only_the_cluster_is_reused_when_nothing_changed(make_carbon: Any,
                                                                                          platform: Any) -> None:
    carbon = make_carbon(platform, view=True)
    synced(carbon)
    meter = carbon.services.meter
    meter.measure_with_risks()
    meter.measure_with_risks()
    reused = {key for (_, key), count in meter.reuse.reused.items() if count}
    # Measured every time: a kind that declares no reads (manual, Prometheus over HTTP, Vault-only checks), one that
    # also reads Vault (secrets_in_vault's KV fields) and one that reads the clock (a backup within N hours).
    also_vault = {"secrets_in_vault"}
    every_time = {t.id for t in meter.plan.tasks()
                  if not meter.checks.get(t.check.kind).reads or t.check.kind in also_vault
                  or meter.plan.check_params[t.id].model_dump().get("within_hours") is not None}
    assert {"vault-unsealed", "secrets-migration", "recent-backup", "dr-runbook", "api-latency"} <= every_time
    assert {t.id for t in meter.plan.tasks()} - every_time == {t.id for t in meter.plan.tasks()} & reused
