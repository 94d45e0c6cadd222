"""Inferred flows on plain data: Service addresses in ConfigMaps, Ingress backends, Prometheus annotations."""

from __future__ import annotations

from typing import Any

from bot.snapshot.flows import Endpoint
from bot.snapshot.inferred_flows import addresses, distinct, from_configmaps, from_ingresses, from_scrape_annotations


def service(ns: str, name: str, selector: dict[str, str], ports: list[dict[str, Any]]) -> dict[str, Any]:
    return {"metadata": {"name": name, "namespace": ns}, "spec": {"selector": selector, "ports": ports}}


def workload(ns: str, name: str, env_from: str | None = None, key_ref: str | None = None,
             volume: str | None = None) -> dict[str, Any]:
    container: dict[str, Any] = {"name": name}
    if env_from:
        container["envFrom"] = [{"configMapRef": {"name": env_from}}]
    if key_ref:
        container["env"] = [{"name": "X", "valueFrom": {"configMapKeyRef": {"name": key_ref, "key": "k"}}}]
    spec: dict[str, Any] = {"containers": [container]}
    if volume:
        spec["volumes"] = [{"name": "v", "projected": {"sources": [{"configMap": {"name": volume}}]}}]
    return {"metadata": {"name": name, "namespace": ns},
            "spec": {"template": {"metadata": {"labels": {"app": name}}, "spec": spec}}}


SERVICES = [service("data-platform", "postgres", {"app": "postgres"}, [{"port": 5432}]),
            service("data-platform", "minio", {"app": "minio"}, [{"port": 9000, "targetPort": "api", "name": "api"}]),
            service("data-platform", "trino-coordinator", {"app": "trino-coordinator"}, [{"port": 8080}]),
            service("data-platform", "portal", {"app": "portal"}, [{"port": 80, "targetPort": 8080, "name": "http"}])]


def test_addresses_in_connection_strings_and_host_ports() -> None:
    assert list(addresses("postgresql://user@postgres.data-platform.svc.cluster.local:5432/db")) == [
        ("postgres", "data-platform", 5432)]
    assert list(addresses("http://minio:9000")) == [("minio", None, 9000)]
    assert list(addresses("trino-coordinator.data-platform:8080")) == [("trino-coordinator", "data-platform", 8080)]
    assert list(addresses("postgres://lakefs:pw@postgres/lakefs")) == [("postgres", None, 5432)]
    assert list(addresses("https://portal.254carbon.com")) == []  # not an in-cluster name
    assert list(addresses("datahub-gms")) == []  # no port, no scheme: not an address


def test_configmap_addresses_become_flows_from_the_workloads_that_read_it() -> None:
    cm = {"metadata": {"name": "superset-config", "namespace": "data-platform"},
          "data": {"DB": "postgresql://superset@postgres.data-platform.svc:5432/superset", "S3": "http://minio:9000",
                   "OTHER": "https://example.com"}}
    workloads = [workload("data-platform", "superset", env_from="superset-config"),
                 workload("data-platform", "worker", key_ref="superset-config"),
                 workload("data-platform", "beat", volume="superset-config"),
                 workload("data-platform", "portal")]
    found = from_configmaps([cm], SERVICES, workloads)
    assert sorted(i.flow.name for i in found) == sorted(
        f"{w} → {s}" for w in ("superset", "worker", "beat") for s in ("postgres", "minio"))
    minio = next(i for i in found if i.flow.name == "superset → minio")
    assert minio.flow.to == Endpoint(namespace="data-platform", pods={"app": "minio"})
    assert minio.flow.ports == ("api",)  # the Service's targetPort, resolved later on the pod
    assert minio.seen_in == "configmap data-platform/superset-config key S3"


def test_an_address_naming_no_service_is_not_a_flow() -> None:
    cm = {"metadata": {"name": "c", "namespace": "data-platform"}, "data": {"A": "http://nowhere:80", "B": "minio:1234"}}
    assert from_configmaps([cm], SERVICES, [workload("data-platform", "x", env_from="c")]) == []


def test_ingress_backends_from_the_controller_namespace() -> None:
    ing = {"metadata": {"name": "portal", "namespace": "data-platform"},
           "spec": {"rules": [{"http": {"paths": [{"backend": {"service": {"name": "portal", "port": {"name": "http"}}}}]}}],
                    "defaultBackend": {"service": {"name": "trino-coordinator", "port": {"number": 8080}}}}}
    found = from_ingresses([ing], SERVICES, "ingress-nginx")
    assert [(i.flow.describe(), i.seen_in) for i in found] == [
        ("ingress-nginx → data-platform/trino-coordinator:8080", "ingress data-platform/portal"),
        ("ingress-nginx → data-platform/portal:8080", "ingress data-platform/portal")]


def test_prometheus_annotations_on_pods_and_templates() -> None:
    annotated = workload("data-platform", "trino-coordinator")
    annotated["spec"]["template"]["metadata"]["annotations"] = {"prometheus.io/scrape": "true", "prometheus.io/port": "9090"}
    pod = {"metadata": {"name": "vault-0", "namespace": "vault-prod", "labels": {"app": "vault"},
                        "annotations": {"prometheus.io/scrape": "true", "prometheus.io/port": "8200"}}}
    unported = {"metadata": {"name": "x", "namespace": "a", "annotations": {"prometheus.io/scrape": "true"}}}
    found = from_scrape_annotations([annotated, pod, unported], "monitoring")
    assert [i.flow.describe() for i in found] == ["monitoring → data-platform/trino-coordinator:9090",
                                                   "monitoring → vault-prod/vault:8200"]


def test_distinct_drops_repeats_and_declared_flows() -> None:
    found = from_ingresses([{"metadata": {"name": n, "namespace": "data-platform"},
                             "spec": {"defaultBackend": {"service": {"name": "portal", "port": {"number": 80}}}}}
                            for n in ("a", "b")], SERVICES, "ingress-nginx")
    assert len(distinct(found)) == 1
    assert distinct(found, [found[0].flow.model_copy(update={"name": "declared"})]) == []
