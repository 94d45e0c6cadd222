"""Checks over Deployments and StatefulSets: are services scaled back up and ready."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from bot.checks.base import CheckKind, CheckResult, Params
from bot.snapshot.objects import meta
from bot.snapshot.snapshot import Snapshot


class ScaleTarget(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    namespace: str
    name: str
    replicas: int = Field(ge=1)
    kind: Literal["Deployment", "StatefulSet"] = "Deployment"


class DeploymentsScaledParams(Params):
    targets: tuple[ScaleTarget, ...] = Field(min_length=1)


PLURALS = {"Deployment": "deployments", "StatefulSet": "statefulsets"}


def deployments_scaled(params: DeploymentsScaledParams, snapshot: Snapshot) -> CheckResult:
    where = {t.namespace for t in params.targets}
    by_kind = {kind: {(meta(o).get("namespace"), meta(o).get("name")): o for o in snapshot.items(plural, where)}
               for kind, plural in PLURALS.items() if any(t.kind == kind for t in params.targets)}
    done, evidence = 0, []
    for target in params.targets:
        obj = by_kind[target.kind].get((target.namespace, target.name))
        where = f"{target.namespace}/{target.name}"
        if obj is None:
            evidence.append(f"{where}: {target.kind} not found")
            continue
        spec = int((obj.get("spec") or {}).get("replicas") or 0)
        ready = int((obj.get("status") or {}).get("readyReplicas") or 0)
        if spec >= target.replicas and ready >= target.replicas:
            done += 1
        else:
            evidence.append(f"{where}: {ready}/{target.replicas} ready (scaled to {spec})")
    total = len(params.targets)
    return CheckResult.measured(done, total, f"{done}/{total} services at target replicas", evidence)


DEPLOYMENTS_SCALED = CheckKind("deployments_scaled", DeploymentsScaledParams, deployments_scaled,
                               "Named Deployments/StatefulSets scaled to at least their target replicas, all ready.",
                               reads=("deployments", "statefulsets"))
