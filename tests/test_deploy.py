"""deploy/: the kustomization renders, the pod is locked down, and its RBAC is exactly what the code calls.

The RBAC check drives the bot's real flows against the emulator, records every API request, and
compares them with the rendered rules both ways: every call allowed, every rule used.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.emulator import RecordedRequest
from tests.fixtures.bot import Carbon

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"
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
    assert {"Namespace", "ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Deployment", "Service",
            "PersistentVolumeClaim", "Secret", "ConfigMap"} <= set(kinds)


def exercised_permissions(carbon: Carbon, platform: Any) -> set[tuple[str, str, str]]:
    platform.reset_requests()
    carbon.slash("status")
    carbon.slash("tasks")
    return {p for p in map(permission, platform.requests) if p is not None}


def test_rbac_covers_every_call_the_bot_makes_and_no_more(carbon: Carbon, platform: Any) -> None:
    used = exercised_permissions(carbon, platform)
    allowed = granted(rendered())
    denied, unused = sorted(used - allowed), sorted(allowed - used)
    assert denied == [], f"calls the deployment's RBAC would deny: {denied}"
    assert unused == [], f"RBAC rules no flow uses: {unused}"
