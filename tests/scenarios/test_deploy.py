"""deploy/: the kustomization renders, the pod is locked down, and its RBAC is exactly what the code calls.

The RBAC check drives the bot's real flows against the emulator, records every API request, and
compares them with the rendered rules both ways: every call allowed, every rule used.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import hvac
import pytest
import yaml

from bot.cluster.lease import LeaderElector
from bot.local.demo.external_secrets import ExternalSecretsStandIn
from bot.local.demo.seed import seed_vault
from bot.local.demo.vault_secrets_operator import VaultSecretsOperatorStandIn
from bot.local.demo.velero import VeleroStandIn
from bot.local.emulator import RecordedRequest
from bot.services.pace import Pace
from jobs.digest import digest_job
from jobs.risk_scan import risk_scan_job
from tests.fixtures.bot import CHANNEL, Carbon
from tests.fixtures.runs import click, request, state

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
PATH = re.compile(r"^/(?:api/(?P<core>v1)|apis/(?P<group>[^/]+)/(?P<version>[^/]+))"
                  r"(?:/namespaces/(?P<ns>[^/]+))?/(?P<resource>[^/]+)(?:/(?P<name>[^/]+)(?:/(?P<sub>[^/]+))?)?$")
VERBS = {"POST": "create", "PUT": "update", "PATCH": "patch", "DELETE": "delete"}


def rendered() -> list[dict[str, Any]]:
    """The kustomization's resources (Python reading, so the test needs no kubectl); kubectl is checked below."""
    kustomization = yaml.safe_load((DEPLOY / "kustomization.yaml").read_text())
    docs: list[dict[str, Any]] = []
    for name in kustomization["resources"]:
        docs += [d for d in yaml.safe_load_all((DEPLOY / name).read_text()) if d]
    return docs


def permission(request: RecordedRequest) -> tuple[str, str, str] | None:
    """(apiGroup, resource[/subresource], verb) as the API server's authorizer sees the request."""
    match = PATH.match(request.path)
    if match is None:
        return None  # /version and discovery are allowed to every authenticated user
    group = "" if match["core"] else match["group"]
    resource = match["resource"] + (f"/{match['sub']}" if match["sub"] else "")
    if match["resource"] == "namespaces" and match["name"] and not match["sub"] and match["ns"] is None:
        resource = "namespaces"
    if request.method == "GET":
        verb = "get" if match["name"] else ("watch" if request.query.get("watch") == "true" else "list")
    else:
        verb = VERBS[request.method]
    return group, resource, verb


def granted(docs: list[dict[str, Any]]) -> set[tuple[str, str, str]]:
    rules = [r for d in docs if d["kind"] in ("ClusterRole", "Role") for r in d.get("rules", [])]
    return {(g, res, v) for r in rules for g in r["apiGroups"] for res in r["resources"] for v in r["verbs"]}


def test_leases_are_granted_in_the_bots_namespace_only() -> None:
    docs = rendered()
    cluster_wide = [r for d in docs if d["kind"] == "ClusterRole" for r in d["rules"]]
    assert not [r for r in cluster_wide if "coordination.k8s.io" in r["apiGroups"]]
    role = next(d for d in docs if d["kind"] == "Role")
    binding = next(d for d in docs if d["kind"] == "RoleBinding")
    assert binding["roleRef"]["name"] == role["metadata"]["name"]
    assert role["rules"] == [{"apiGroups": ["coordination.k8s.io"], "resources": ["leases"],
                              "verbs": ["get", "create", "update"]}]


def test_no_wildcards_and_the_pod_is_locked_down() -> None:
    docs = rendered()
    for rule in (r for d in docs if d["kind"] in ("ClusterRole", "Role") for r in d.get("rules", [])):
        assert "*" not in rule["verbs"] + rule["resources"] + rule["apiGroups"], rule
    deployment = next(d for d in docs if d["kind"] == "Deployment")
    pod = deployment["spec"]["template"]["spec"]
    container = pod["containers"][0]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert container["securityContext"]["allowPrivilegeEscalation"] is False
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["resources"]["requests"] and container["resources"]["limits"]
    assert {v["persistentVolumeClaim"]["claimName"] for v in pod["volumes"] if "persistentVolumeClaim" in v} == {
        next(d for d in docs if d["kind"] == "PersistentVolumeClaim")["metadata"]["name"]
    }


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl renders the real kustomization when installed")
def test_kubectl_kustomize_renders() -> None:
    out = subprocess.run(["kubectl", "kustomize", str(DEPLOY)], capture_output=True, text=True, check=True).stdout
    kinds = [d["kind"] for d in yaml.safe_load_all(out) if d]
    assert {"Namespace", "ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding", "Deployment", "Service",
            "PersistentVolumeClaim", "Secret", "ConfigMap"} <= set(kinds)


ACTION_TASKS = ("restore-services", "secrets-migration", "network-policies", "rbac-least-privilege", "velero-schedules",
                "critical-replicas")
# configure_vault_kubernetes_auth has no rollback; it reads the published cluster CA (configmaps get). It runs
# first: the secrets migration needs it.
APPLY_ONLY_TASKS = ("vault-kubernetes-auth",)
# restore_drill has no rollback either; it runs while velero-schedules' backup exists (before that is rolled back).
AFTER = {"velero-schedules": ("restore-tested",)}
LEASE_NAMESPACE = "carbon"


def apply_only(carbon: Carbon, task_id: str) -> None:
    run = request(carbon, task_id)
    click(carbon, "carbon.approve", run, "U0BOB")
    assert state(carbon, run) == "succeeded", (task_id, carbon.slack.messages(CHANNEL)[-3:])


def run_every_action(carbon: Carbon) -> None:
    """Plan (dry run), apply and verify each bundled action; then roll back each that can be undone."""
    for task_id in APPLY_ONLY_TASKS:
        apply_only(carbon, task_id)
    for task_id in ACTION_TASKS:
        run = request(carbon, task_id)
        for approver in ("U0BOB", "U0CAROL")[:carbon.services.plan.task(task_id).approval.required]:
            click(carbon, "carbon.approve", run, approver)
        assert state(carbon, run) == "succeeded", (task_id, carbon.slack.messages(CHANNEL)[-3:])
        for follow in AFTER.get(task_id, ()):
            apply_only(carbon, follow)
        carbon.slash(f"rollback {run.id}", user="U0BOB")
        assert state(carbon, run) == "rolled_back", task_id


def elect_twice(carbon: Carbon, platform: Any) -> None:
    """Leader election rounds: create the Lease, renew it (update), then release it."""
    platform.add({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": LEASE_NAMESPACE}})
    services = carbon.services
    elector = LeaderElector(services.cluster, name="carbon-leader", namespace=LEASE_NAMESPACE, identity="pod-a",
                            duration_s=15, clock=services.clock)
    assert elector.step() and elector.step()
    elector.release()


def exercised_permissions(carbon: Carbon, platform: Any, vault_client: hvac.Client) -> set[tuple[str, str, str]]:
    """Every flow that reaches the API server: commands, App Home, every action, the jobs, leader election."""
    seed_vault(vault_client)
    carbon.slash("status")
    carbon.slash("status p1")
    carbon.slash("tasks")
    carbon.slash("digest")
    run_every_action(carbon)
    now = carbon.services.clock()
    risk_scan_job(carbon.services, now)
    digest_job(carbon.services, now)
    elect_twice(carbon, platform)
    watched = set(carbon.services.view.feeds) if carbon.services.view is not None else set()
    deadline = time.monotonic() + 15  # each kind's watch opens once its list is in: wait for all (bounded)
    while {r.path.rsplit("/", 1)[-1] for r in platform.requests if r.query.get("watch") == "true"} < watched:
        assert time.monotonic() < deadline, "the view did not open a watch on every kind"
        time.sleep(0.05)
    # Vault's own TokenReview of the login probe reaches the emulated API server too: that is Vault's RBAC
    # (system:auth-delegator), not Carbon's.
    vaults = {("authentication.k8s.io", "tokenreviews", "create")}
    return {p for p in map(permission, platform.requests) if p is not None} - vaults


# Calls the code makes on paths the bundled plan does not reach on the demo platform (it has no StatefulSet workloads,
# and nothing Carbon manages has drifted there). Each names the path; an entry that the flows above reach must go.
BEYOND_THE_DEMO = {
    ("apps", "statefulsets", "get"): "migrate_secrets / apply_rbac verify a StatefulSet workload",
    ("apps", "statefulsets", "patch"): "migrate_secrets / apply_rbac patch a StatefulSet's pod template",
    ("", "serviceaccounts", "patch"): "apply_rbac server-side applies a ServiceAccount that exists but differs",
    ("networking.k8s.io", "networkpolicies", "patch"): "apply_network_policies server-side applies a drifted policy",
    ("policy", "poddisruptionbudgets", "patch"): "apply_disruption_budgets replaces a budget that exists but differs",
    ("apps", "statefulsets/scale", "patch"): "apply_disruption_budgets raises a StatefulSet's replicas",
    ("velero.io", "schedules", "patch"): "configure_backups server-side applies a Schedule that differs (and puts it "
                                         "back on rollback)",
    ("external-secrets.io", "externalsecrets", "patch"): "migrate_secrets widens an ExternalSecret to a key found "
                                                         "after an earlier run (and narrows it back on rollback)",
}


# The Vault Secrets Operator path of migrate_secrets: a cluster runs one secrets operator, so the flows above (External
# Secrets Operator) do not reach it; test_rbac_covers_the_vault_secrets_operator_path below does.
VSO_RULES = {("secrets.hashicorp.com", plural, verb) for plural, verbs in (
    ("vaultstaticsecrets", ("get", "list", "create", "patch", "delete")), ("vaultauths", ("get", "create", "delete")),
    ("vaultconnections", ("get", "create", "delete"))) for verb in verbs}


@pytest.fixture
def live_carbon(make_carbon: Any, live_platform: Any, vault_client: hvac.Client) -> Carbon:
    """The bot on the live demo platform with its secrets operator, so every action runs its whole path; as `carbon
    serve` runs it, statuses, digests and risk scans read the watch-fed view (list + watch per kind)."""
    ExternalSecretsStandIn(live_platform, vault_client).install()
    VeleroStandIn(live_platform).install()
    live_platform.reset_requests()
    carbon: Carbon = make_carbon(live_platform, view=True)
    carbon.services.pace = Pace(limits={})  # one person requests every action here
    return carbon


def test_rbac_covers_every_call_the_bot_makes_and_no_more(live_carbon: Carbon, live_platform: Any,
                                                          vault_client: hvac.Client) -> None:
    used = exercised_permissions(live_carbon, live_platform, vault_client)
    assert used & set(BEYOND_THE_DEMO) == set(), "now exercised: drop it from BEYOND_THE_DEMO"
    allowed = granted(rendered())
    denied, unused = sorted(used - allowed), sorted(allowed - used - set(BEYOND_THE_DEMO) - VSO_RULES)
    assert sorted(set(BEYOND_THE_DEMO) - allowed) == []
    assert denied == [], f"calls the deployment's RBAC would deny: {denied}"
    assert unused == [], f"RBAC rules no flow uses: {unused}"


def test_rbac_covers_the_vault_secrets_operator_path(make_carbon: Any, live_platform: Any,
                                                    vault_client: hvac.Client) -> None:
    """The secrets migration with Vault Secrets Operator installed instead: dry run, apply, verify and rollback; and a
    second run for a key found later, which widens a VaultStaticSecret (and its rollback narrows it again)."""
    VaultSecretsOperatorStandIn(live_platform, vault_client).install()
    seed_vault(vault_client)
    carbon: Carbon = make_carbon(live_platform)
    carbon.services.pace = Pace(limits={})
    apply_only(carbon, "vault-kubernetes-auth")
    live_platform.reset_requests()
    run = request(carbon, "secrets-migration")
    for approver in ("U0BOB", "U0CAROL"):
        click(carbon, "carbon.approve", run, approver)
    assert state(carbon, run) == "succeeded", carbon.slack.messages(CHANNEL)[-3:]
    minio = live_platform.get("configmaps", "minio-config", "data-platform")
    live_platform.add({**minio, "data": {**minio["data"], "MINIO_SECRET_KEY": "found-later"}})
    later = request(carbon, "secrets-migration")
    for approver in ("U0BOB", "U0CAROL"):
        click(carbon, "carbon.approve", later, approver)
    assert state(carbon, later) == "succeeded", carbon.slack.messages(CHANNEL)[-3:]
    for done in (later, run):
        carbon.slash(f"rollback {done.id}", user="U0BOB")
        assert state(carbon, done) == "rolled_back"
    used = {p for p in map(permission, live_platform.requests) if p is not None}
    used -= {("authentication.k8s.io", "tokenreviews", "create")}  # Vault's own review of the login probe
    assert sorted(used - granted(rendered())) == [], "calls the deployment's RBAC would deny"
    assert sorted(VSO_RULES - used) == [], "VSO rules this path does not use"


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl renders the real kustomization when installed")
def test_the_optional_components_render_servicemonitor_and_vault_agent(tmp_path: Path) -> None:
    """As README says: drop secret.yaml, add the components; the tokens then come from Vault Agent."""
    shutil.copytree(DEPLOY, tmp_path / "deploy")
    kustomization = tmp_path / "deploy" / "kustomization.yaml"
    text = kustomization.read_text().replace("  - secret.yaml\n", "")
    text = text.replace("# components:\n#   - components/servicemonitor",
                        "components:\n  - components/servicemonitor\n  - components/vault-agent")
    kustomization.write_text(text)
    out = subprocess.run(["kubectl", "kustomize", str(tmp_path / "deploy")], capture_output=True, text=True,
                         check=True).stdout
    docs = [d for d in yaml.safe_load_all(out) if d]
    assert "Secret" not in {d["kind"] for d in docs}
    assert next(d for d in docs if d["kind"] == "ServiceMonitor")["spec"]["endpoints"][0]["path"] == "/metrics"
    pod = next(d for d in docs if d["kind"] == "Deployment")["spec"]["template"]
    assert pod["metadata"]["annotations"]["vault.hashicorp.com/agent-inject"] == "true"
    container = pod["spec"]["containers"][0]
    assert container["workingDir"] == "/vault/secrets"
    assert [list(source) for source in container["envFrom"]] == [["configMapRef"]]  # the Secret reference is gone


def test_the_settings_configmap_names_only_real_settings() -> None:
    from bot.settings import Settings

    known = {str(f.validation_alias) for f in Settings.model_fields.values()}
    lines = [line for line in (DEPLOY / "settings.env").read_text().splitlines() if line and not line.startswith("#")]
    assert {line.split("=", 1)[0] for line in lines} - known == set()


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl renders the real kustomization when installed")
def test_the_network_policy_and_image_pull_secret_components_render(tmp_path: Path) -> None:
    """As README says: uncomment the components; the policy selects the bot's pod, the pod pulls with the Secret."""
    shutil.copytree(DEPLOY, tmp_path / "deploy")
    kustomization = tmp_path / "deploy" / "kustomization.yaml"
    text = kustomization.read_text()
    for line in ("# components:", "#   - components/network-policy", "#   - components/image-pull-secret"):
        assert line in text
        text = text.replace(line, line.removeprefix("# "))
    kustomization.write_text(text)
    out = subprocess.run(["kubectl", "kustomize", str(tmp_path / "deploy")], capture_output=True, text=True,
                         check=True).stdout
    docs = [d for d in yaml.safe_load_all(out) if d]
    deployment = next(d for d in docs if d["kind"] == "Deployment")
    pod = deployment["spec"]["template"]
    assert pod["spec"]["imagePullSecrets"] == [{"name": "carbon-registry"}]
    policy = next(d for d in docs if d["kind"] == "NetworkPolicy")
    assert policy["metadata"]["namespace"] == deployment["metadata"]["namespace"] == "carbon"
    assert policy["spec"]["podSelector"]["matchLabels"].items() <= pod["metadata"]["labels"].items()
    assert policy["spec"]["policyTypes"] == ["Ingress"]
    [rule] = policy["spec"]["ingress"]
    allowed = {peer["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"] for peer in rule["from"]}
    assert allowed == {"ingress-nginx", "monitoring"}
    container_ports = {p["name"] for p in pod["spec"]["containers"][0]["ports"]}
    assert [p["port"] for p in rule["ports"]] == ["http"] and "http" in container_ports
