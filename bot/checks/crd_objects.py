"""Objects of a custom resource exist and match conditions (Velero Schedules, a recent Backup, a tested Restore).

`plural` names a kind from bot/cluster/resources.py; `where` maps dotted field paths to required values
(e.g. `status.phase: Completed`); `within_hours` asks that `time_field` be that recent. Fraction =
min(matching, min_count) / min_count.

A 404 on the list means the CRD is not installed: that is a measurement (0, with `not_installed` as the
evidence, e.g. "Velero is not installed"), not `unknown` — the cluster answered, and the answer is "no".
A 403 or an unreachable cluster stays `unknown`.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from pydantic import Field, field_validator

from bot.checks.base import ANY_KIND, CheckKind, CheckResult, Params
from bot.cluster.gateway import NotFound
from bot.cluster.resources import RESOURCES
from bot.snapshot.objects import dig, in_namespaces, parse_time, ref
from bot.snapshot.snapshot import Snapshot


class CrdObjectsParams(Params):
    plural: str
    namespaces: tuple[str, ...] = ()
    where: dict[str, str] = Field(default_factory=dict)
    min_count: int = Field(1, ge=1)
    within_hours: float | None = Field(None, gt=0)
    time_field: str = "status.completionTimestamp"
    not_installed: str = ""

    @field_validator("plural")
    @classmethod
    def _known(cls, value: str) -> str:
        if value not in RESOURCES:
            raise ValueError(f"unknown resource {value!r}; known: {', '.join(sorted(RESOURCES))}")
        return value


def crd_objects(params: CrdObjectsParams, snapshot: Snapshot) -> CheckResult:
    kind = RESOURCES[params.plural].kind
    try:
        objs = in_namespaces(snapshot.items(params.plural, params.namespaces), params.namespaces, skip_system=False)
    except NotFound:
        why = params.not_installed or f"{kind} is not served by this cluster (CRD not installed)"
        return CheckResult.measured(0, params.min_count, why, [why])
    matching = [o for o in objs if all(str(dig(o, path)) == value for path, value in params.where.items())]
    conditions = [f"{path}={value}" for path, value in params.where.items()]
    if params.within_hours is not None:
        since = snapshot.taken_at - timedelta(hours=params.within_hours)
        matching = [o for o in matching if (t := parse_time(dig(o, params.time_field))) is not None and t >= since]
        conditions.append(f"{params.time_field} within {params.within_hours:g} h")
    wanted = " with " + ", ".join(conditions) if conditions else ""
    evidence = [f"{len(objs)} {kind} object(s), {len(matching)} matching{wanted}"]
    evidence += [f"{ref(o)}: matches" for o in _newest(matching, params.time_field)[:5]]
    if not matching and objs:
        newest = _newest(objs, params.time_field)[0]
        evidence.append(f"newest: {ref(newest)} ({_describe(newest, params)})")
    return CheckResult.measured(min(len(matching), params.min_count), params.min_count,
                                f"{len(matching)} {kind}(s) matching, {params.min_count} wanted", evidence)


def _newest(objs: list[dict[str, Any]], field: str) -> list[dict[str, Any]]:
    return sorted(objs, key=lambda o: str(dig(o, field) or dig(o, "metadata.creationTimestamp") or ""), reverse=True)


def _describe(obj: dict[str, Any], params: CrdObjectsParams) -> str:
    parts = [f"{path}={dig(obj, path)}" for path in params.where]
    if params.within_hours is not None:
        parts.append(f"{params.time_field}={dig(obj, params.time_field) or 'none'}")
    return ", ".join(parts) or "exists"


CRD_OBJECTS = CheckKind("crd_objects", CrdObjectsParams, crd_objects,
                        "Objects of a custom resource exist and match field conditions, optionally recent.",
                        reads=(ANY_KIND,))
