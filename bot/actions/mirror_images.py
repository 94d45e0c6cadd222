"""`mirror_images`: point workloads at the private registry's copy of their images, only where that copy exists.

For each Deployment and StatefulSet of `namespaces`, each container and init container pulling from elsewhere (and
matching `images`, substrings, when given) is checked against its mirror, `<registry>/<project>/<path>:<tag>`
(bot/actions/image_refs.py), by a manifest HEAD on the registry (bot/actions/registry.py) with the credentials of
the workload's own pull secret (its pod template's `imagePullSecrets`, else its ServiceAccount's): the same
credentials its pods will pull with. Present: the container is repointed. Missing: it stays, and the plan says so
(nothing is pulled or copied by Carbon). Each repointed workload's pod template is patched (strategic merge by
container name) and its rollout health-gated: a pod that cannot pull the mirror fails the run, which puts the old
images back. DaemonSets are not repointed (the rollout gate follows Deployments and StatefulSets).

Verify: each workload's template names the mirrors and its rollout is healthy. Rollback: each workload the run
patched gets its previous images back (health-gated); refused when its images were changed since.

Needs RBAC: deployments, statefulsets get/list/patch; serviceaccounts get; secrets get (the pull secret, read for
the registry check only: never stored, shown or logged); pods list (the health gate). Network: HTTPS to the registry.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from bot import messages
from bot.actions.base import ActionContext, ActionKind, ActionPlan, Change, Impact, Params
from bot.actions.image_refs import from_registry, mirrored
from bot.actions.registry import Credentials, RegistryClient, credentials_for
from bot.actions.rollout import Workload, progress, unhealthy, wait_healthy
from bot.actions.workloads import WORKLOAD_PLURALS, workloads_in
from bot.cluster.gateway import ClusterGateway
from bot.errors import RollbackRefused, Unavailable

Obj = dict[str, Any]
GROUPS = ("initContainers", "containers")
DOCKER_CONFIG_JSON = "kubernetes.io/dockerconfigjson"


class MirrorParams(Params):
    registry: str = Field(min_length=1, pattern=r"^[A-Za-z0-9.-]+(:[0-9]+)?$", description="host[:port]")
    project: str = Field(min_length=1, pattern=r"^[a-z0-9][a-z0-9._/-]*$")
    namespaces: tuple[str, ...] = Field(min_length=1)
    images: tuple[str, ...] = ()
    registry_url: str | None = Field(None, pattern=r"^https?://", description="default https://<registry>")
    rollout_timeout_s: float = Field(300.0, ge=0, le=3600)
    http_timeout_s: float = Field(10.0, gt=0, le=60)


def pull_credentials(kube: ClusterGateway, namespace: str, template: Obj, registry: str) -> Credentials | None:
    """What the workload's pods pull `registry` with: the template's pull secrets, else its ServiceAccount's."""
    spec = template.get("spec") or {}
    refs = spec.get("imagePullSecrets")
    if not refs:
        account = spec.get("serviceAccountName") or spec.get("serviceAccount") or "default"
        refs = (kube.get("serviceaccounts", account, namespace) or {}).get("imagePullSecrets") or []
    for ref in refs:
        secret = kube.get("secrets", ref.get("name", ""), namespace)
        if secret is not None and secret.get("type") == DOCKER_CONFIG_JSON:
            found = credentials_for(secret, registry)
            if found is not None:
                return found
    return None


def _label(plural: str, namespace: str, name: str) -> str:
    return f"{WORKLOAD_PLURALS[plural]} {namespace}/{name}"


def _repoints(params: MirrorParams, kube: ClusterGateway, plural: str, obj: Obj,
              warnings: list[str]) -> list[Obj]:
    namespace, name = obj["metadata"]["namespace"], obj["metadata"]["name"]
    template = (obj.get("spec") or {}).get("template") or {}
    where = _label(plural, namespace, name)
    credentials = pull_credentials(kube, namespace, template, params.registry)
    client = RegistryClient(params.registry_url or f"https://{params.registry}", credentials, params.http_timeout_s)
    found = []
    for group in GROUPS:
        for container in (template.get("spec") or {}).get(group) or []:
            image = str(container.get("image", ""))
            if from_registry(image, params.registry) or (params.images and not any(i in image for i in params.images)):
                continue
            target = mirrored(image, params.registry, params.project)
            try:
                present = client.has(target.repository, target.reference)
            except Unavailable as exc:
                if credentials is not None:
                    raise
                warnings.append(messages.mirror_unchecked(where, image, str(exc)))
                continue
            if present:
                found.append({"group": group, "container": container["name"], "from": image, "to": str(target)})
            else:
                warnings.append(messages.not_mirrored_yet(where, image, str(target)))
    return found


def _patch(containers: list[Obj], field: str) -> Obj:
    spec: Obj = {}
    for c in containers:
        spec.setdefault(c["group"], []).append({"name": c["container"], "image": c[field]})
    return {"spec": {"template": {"spec": spec}}}


def plan(params: MirrorParams, ctx: ActionContext) -> ActionPlan:
    kube = ctx.kube()
    changes, items, rolls, warnings = [], [], [], []
    for plural, obj in workloads_in(kube, params.namespaces):
        containers = _repoints(params, kube, plural, obj, warnings)
        if not containers:
            continue
        namespace, name = obj["metadata"]["namespace"], obj["metadata"]["name"]
        kube.patch(plural, name, namespace, _patch(containers, "to"), patch="strategic", dry_run=True)
        where = _label(plural, namespace, name)
        changes.append(Change("patch", where, "; ".join(f"{c['container']} image {c['from']} → {c['to']}"
                                                        for c in containers)))
        rolls.append(where)
        items.append({"plural": plural, "namespace": namespace, "name": name, "containers": containers})
    return ActionPlan(tuple(changes), {"workloads": items}, Impact(rolls=tuple(rolls), warnings=tuple(warnings)))


def _workloads(items: list[Obj]) -> list[Workload]:
    return [Workload(i["plural"], i["namespace"], i["name"]) for i in items]


def apply(params: MirrorParams, planned: ActionPlan, ctx: ActionContext) -> None:
    kube = ctx.kube()
    items = planned.data["workloads"]
    broken = unhealthy(ctx, _workloads(items))
    by_key = {c.key: c for c in planned.changes}
    for item in items:
        kube.patch(item["plural"], item["name"], item["namespace"], _patch(item["containers"], "to"), patch="strategic")
        ctx.step(by_key[f"patch {_label(item['plural'], item['namespace'], item['name'])}"])
    wait_healthy(ctx, _workloads(items), params.rollout_timeout_s, broken)


def _images(live: Obj) -> dict[tuple[str, str], str]:
    spec = ((live.get("spec") or {}).get("template") or {}).get("spec") or {}
    return {(group, c.get("name", "")): str(c.get("image", "")) for group in GROUPS for c in spec.get(group) or []}


def _differs(kube: ClusterGateway, item: Obj, field: str) -> bool:
    images = _images(kube.get(item["plural"], item["name"], item["namespace"]) or {})
    return any(images.get((c["group"], c["container"])) != c[field] for c in item["containers"])


def verify(params: MirrorParams, planned: ActionPlan, ctx: ActionContext) -> list[str]:
    kube = ctx.kube()
    problems = []
    for item in planned.data["workloads"]:
        where = _label(item["plural"], item["namespace"], item["name"])
        if _differs(kube, item, "to"):
            problems.append(f"{where} does not name the mirrored images")
            continue
        done, problem = progress(kube, Workload(item["plural"], item["namespace"], item["name"]))
        if not done:
            problems.append(problem or f"{where}: rollout not finished")
    return problems


def rollback(params: MirrorParams, planned: ActionPlan, ctx: ActionContext) -> None:
    kube = ctx.kube()
    mine = [i for i in planned.data["workloads"]
            if f"patch {_label(i['plural'], i['namespace'], i['name'])}" in ctx.applied]
    moved = [f"{_label(i['plural'], i['namespace'], i['name'])} no longer runs the images this run set"
             for i in mine if _differs(kube, i, "to")]
    if moved:
        raise RollbackRefused(messages.cluster_changed_since(moved))
    broken = unhealthy(ctx, _workloads(mine))
    for item in mine:
        kube.patch(item["plural"], item["name"], item["namespace"], _patch(item["containers"], "from"),
                   patch="strategic")
        ctx.report(f":leftwards_arrow_with_hook: {_label(item['plural'], item['namespace'], item['name'])} back on "
                   f"{', '.join(c['from'] for c in item['containers'])}")
    wait_healthy(ctx, _workloads(mine), params.rollout_timeout_s, broken)


MIRROR_IMAGES = ActionKind("mirror_images", MirrorParams, plan, apply, verify, rollback, __doc__ or "")
