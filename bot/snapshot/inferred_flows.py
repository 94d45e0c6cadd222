"""Flows Carbon can see without being told, so a policy change can warn about traffic nobody declared.

Three sources, each kept simple and named in the flow's `seen_in`:
- ConfigMap values that name a Service: `scheme://[user@]host[:port]` or `host:port`, where host is
  `svc`, `svc.ns`, `svc.ns.svc` or `svc.ns.svc.cluster.local` and a Service of that name exists (a port is
  required unless the scheme implies one: http 80, https 443, postgres 5432, mysql 3306, redis 6379).
  From the workloads that read that ConfigMap (envFrom, configMapKeyRef, a configMap or projected volume)
  to the Service's selected pods, on the Service port's targetPort.
- Ingress backends: from the ingress controller's namespace (all pods) to each backend Service's pods.
- Prometheus scraping: from the monitoring namespace (all pods) to pods or pod templates annotated
  `prometheus.io/scrape: "true"` with a `prometheus.io/port`. ServiceMonitors are not read.
Values are read only to find host names; nothing of them is kept beyond the host and port.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from bot.snapshot.flows import Endpoint, Flow
from bot.snapshot.objects import containers, meta, template_labels

SCHEME_PORTS = {"http": 80, "https": 443, "postgres": 5432, "postgresql": 5432, "mysql": 3306, "redis": 6379}
_ADDRESS = re.compile(r"(?:(?P<scheme>[a-z][a-z0-9+.-]*)://(?:[^@\s/]*@)?)?"
                      r"(?P<host>[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9-]+)*)(?::(?P<port>\d{1,5}))?", re.I)
_SUFFIXES = ("", ".svc", ".svc.cluster.local")


@dataclass(frozen=True)
class Inferred:
    flow: Flow
    seen_in: str  # where Carbon saw it, e.g. "configmap data-platform/superset-config key DATABASE_URL"


def addresses(value: str) -> Iterator[tuple[str, str | None, int]]:
    """(service, namespace or None, port) for each in-cluster-looking address in a value."""
    for found in _ADDRESS.finditer(value):
        scheme, host, port = found.group("scheme"), found.group("host").lower(), found.group("port")
        number = int(port) if port else SCHEME_PORTS.get((scheme or "").lower())
        if number is None or not 0 < number < 65536:
            continue
        parts = host.split(".")
        rest = "." + ".".join(parts[2:]) if len(parts) > 2 else ""
        if len(parts) == 1:
            yield parts[0], None, number
        elif rest in _SUFFIXES:
            yield parts[0], parts[1], number


def _services(services: Iterable[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(str(meta(s).get("namespace")), str(meta(s).get("name"))): s for s in services}


def _target(service: dict[str, Any], port: int | str) -> tuple[Endpoint, int | str] | None:
    """The Service's selected pods and the pod port a connection to Service `port` (number or name) reaches."""
    spec = service.get("spec") or {}
    if not spec.get("selector"):
        return None
    entry = next((p for p in spec.get("ports") or [] if port in (p.get("port"), p.get("name"))), None)
    if entry is None:
        return None
    return (Endpoint(namespace=str(meta(service).get("namespace")), pods=dict(spec["selector"])),
            entry.get("targetPort") or entry["port"])


def _reads(workload: dict[str, Any], configmap: str) -> bool:
    pod = (workload.get("spec") or {}).get("template") or {}
    for c in containers(pod):
        if any((e.get("configMapRef") or {}).get("name") == configmap for e in c.get("envFrom") or []):
            return True
        if any(((e.get("valueFrom") or {}).get("configMapKeyRef") or {}).get("name") == configmap for e in c.get("env") or []):
            return True
    for volume in (pod.get("spec") or {}).get("volumes") or []:
        sources = [volume, *((volume.get("projected") or {}).get("sources") or [])]
        if any((s.get("configMap") or {}).get("name") == configmap for s in sources):
            return True
    return False


def from_configmaps(configmaps: Iterable[dict[str, Any]], services: Iterable[dict[str, Any]],
                    workloads: list[dict[str, Any]]) -> list[Inferred]:
    by_name, found = _services(services), []
    for cm in configmaps:
        ns, name = str(meta(cm).get("namespace")), str(meta(cm).get("name"))
        readers = [w for w in workloads if meta(w).get("namespace") == ns and _reads(w, name)]
        for key, value in sorted((cm.get("data") or {}).items()):
            for svc, svc_ns, port in addresses(str(value)):
                service = by_name.get((svc_ns or ns, svc))
                target = _target(service, port) if service else None
                if target is None:
                    continue
                for w in readers:
                    source = Endpoint(namespace=ns, pods=template_labels(w))
                    flow = Flow(name=f"{meta(w).get('name')} → {svc}", source=source, to=target[0], ports=(target[1],))
                    found.append(Inferred(flow, f"configmap {ns}/{name} key {key}"))
    return found


def from_ingresses(ingresses: Iterable[dict[str, Any]], services: Iterable[dict[str, Any]],
                   controller_namespace: str) -> list[Inferred]:
    by_name, found = _services(services), []
    for ing in ingresses:
        ns, spec = str(meta(ing).get("namespace")), ing.get("spec") or {}
        backends = [spec.get("defaultBackend") or {}] + [
            path.get("backend") or {} for rule in spec.get("rules") or [] for path in (rule.get("http") or {}).get("paths") or []]
        for backend in backends:
            svc = backend.get("service") or {}
            port = (svc.get("port") or {}).get("number") or (svc.get("port") or {}).get("name")
            service = by_name.get((ns, str(svc.get("name"))))
            target = _target(service, port) if service and port else None
            if target:
                flow = Flow(name=f"{controller_namespace} → {svc['name']}", source=Endpoint(namespace=controller_namespace),
                            to=target[0], ports=(target[1],))
                found.append(Inferred(flow, f"ingress {ns}/{meta(ing).get('name')}"))
    return found


def from_scrape_annotations(pods_and_workloads: Iterable[dict[str, Any]], monitoring_namespace: str) -> list[Inferred]:
    found = []
    for obj in pods_and_workloads:
        template = (obj.get("spec") or {}).get("template") or obj
        notes = meta(template).get("annotations") or {}
        port = str(notes.get("prometheus.io/port") or "")
        if str(notes.get("prometheus.io/scrape")).lower() != "true" or not port.isdigit():
            continue
        ns = str(meta(obj).get("namespace"))
        labels = template_labels(obj) if template is not obj else dict(meta(obj).get("labels") or {})
        flow = Flow(name=f"{monitoring_namespace} scrapes {meta(obj).get('name')}",
                    source=Endpoint(namespace=monitoring_namespace), to=Endpoint(namespace=ns, pods=labels),
                    ports=(int(port),))
        found.append(Inferred(flow, f"prometheus.io annotations on {ns}/{meta(obj).get('name')}"))
    return found


def _key(flow: Flow) -> str:
    return json.dumps(flow.model_dump(exclude={"name"}), sort_keys=True)


def distinct(found: Iterable[Inferred], declared: Iterable[Flow] = ()) -> list[Inferred]:
    """One per (from, to, ports), leaving out what a declared flow already covers."""
    seen = {_key(f) for f in declared}
    kept = []
    for item in found:
        key = _key(item.flow)
        if key not in seen:
            seen.add(key)
            kept.append(item)
    return kept
