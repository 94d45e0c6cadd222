"""High availability: enough Ready nodes, and critical workloads replicated with a PodDisruptionBudget."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from bot.checks.base import CheckKind, CheckResult, Params
from bot.snapshot.objects import condition, meta, selects, template_labels
from bot.snapshot.snapshot import Snapshot


class NodesReadyParams(Params):
    min: int = Field(1, ge=1, description="Ready nodes wanted")


def nodes_ready(params: NodesReadyParams, snapshot: Snapshot) -> CheckResult:
    nodes = snapshot.items("nodes")
    ready = [meta(n).get("name") for n in nodes if (condition(n, "Ready") or {}).get("status") == "True"]
    evidence = [f"node {meta(n).get('name')}: not Ready" for n in nodes if meta(n).get("name") not in ready]
    if len(ready) < params.min:
        evidence.insert(0, f"{len(ready)} Ready node(s) ({', '.join(map(str, ready)) or 'none'}); {params.min} wanted")
    return CheckResult.measured(min(len(ready), params.min), params.min, f"{len(ready)}/{params.min} Ready nodes", evidence)


class ReplicaTarget(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    namespace: str
    name: str
    kind: Literal["Deployment", "StatefulSet"] = "Deployment"


class ReplicasParams(Params):
    targets: tuple[ReplicaTarget, ...] = Field(min_length=1)
    min_replicas: int = Field(2, ge=1)
    require_pdb: bool = True


PLURALS = {"Deployment": "deployments", "StatefulSet": "statefulsets"}


def replicas(params: ReplicasParams, snapshot: Snapshot) -> CheckResult:
    where = {t.namespace for t in params.targets}
    workloads = {(kind, meta(o).get("namespace"), meta(o).get("name")): o
                 for kind, plural in PLURALS.items() if any(t.kind == kind for t in params.targets)
                 for o in snapshot.items(plural, where)}
    pdbs = snapshot.items("poddisruptionbudgets", where) if params.require_pdb else []
    done, evidence = 0, []
    for target in params.targets:
        where = f"{target.kind} {target.namespace}/{target.name}"
        obj = workloads.get((target.kind, target.namespace, target.name))
        if obj is None:
            evidence.append(f"{where}: not found")
            continue
        problems = []
        ready = int((obj.get("status") or {}).get("readyReplicas") or 0)
        if ready < params.min_replicas:
            problems.append(f"{ready}/{params.min_replicas} ready replicas")
        labels = template_labels(obj)
        if params.require_pdb and not any(meta(p).get("namespace") == target.namespace
                                          and selects((p.get("spec") or {}).get("selector"), labels) for p in pdbs):
            problems.append("no PodDisruptionBudget")
        if problems:
            evidence.append(f"{where}: {', '.join(problems)}")
        else:
            done += 1
    total = len(params.targets)
    pdb = " with a PDB" if params.require_pdb else ""
    return CheckResult.measured(done, total, f"{done}/{total} at ≥ {params.min_replicas} ready replicas{pdb}", evidence)


NODES_READY = CheckKind("nodes_ready", NodesReadyParams, nodes_ready, "At least `min` nodes with Ready=True.",
reads=("nodes",))
REPLICAS = CheckKind("replicas", ReplicasParams, replicas,
                     "Critical Deployments/StatefulSets at ≥ min_replicas ready, each covered by a PodDisruptionBudget.",
                     reads=("deployments", "statefulsets", "poddisruptionbudgets"))
