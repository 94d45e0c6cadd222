"""The 254Carbon platform as the seed report describes it, as Kubernetes objects for the emulator.

What is seeded is what the demo measures: Harbor 8/8 and the tunnel 2/2 up, six services scaled to
zero, 8 of 9 certificates Ready (dolphinscheduler's stuck issuing), one pod crash-looping, images
partly from Docker Hub (two scaled-down services' templates too), credentials in ConfigMaps,
Prometheus/Grafana/Loki on one node without Alertmanager, no Velero objects, and little network or RBAC
hardening (see security_objects).
Values here are demo strings, not real credentials.
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import hvac

from bot.snapshot.credentials import AGENT_INJECT, AGENT_ROLE, AGENT_SECRET_PREFIX, KV_MOUNT, agent_secret_path, vault_path

REGISTRY = "harbor.254carbon.com"
NAMESPACES = ("registry", "cloudflare-tunnel", "vault-prod", "data-platform", "monitoring", "ingress-nginx",
              "cert-manager", "kube-system")
TLS_SERVICES = ("datahub", "dolphinscheduler", "doris", "lakefs", "minio", "portal", "superset", "trino")
SCALED_DOWN = {"datahub-gms": 1, "datahub-frontend": 1, "dolphinscheduler-api": 1, "dolphinscheduler-master": 1,
               "superset": 1, "trino-worker": 2}
SCALED_DOWN_FROM_DOCKER_HUB = {  # scaled to zero, so no pod shows it: only their templates say where they pull from
    "superset": "docker.io/apache/superset:3.0.1",
    "dolphinscheduler-api": "docker.io/apache/dolphinscheduler-api:3.2.0",
}
RUNNING = {  # deployment -> image (Docker Hub ones are the mirroring backlog)
    "trino-coordinator": f"{REGISTRY}/data/trino:435",
    "minio": "docker.io/minio/minio:RELEASE.2024-01-16",
    "lakefs": f"{REGISTRY}/data/lakefs:1.7.0",
    "doris-fe": f"{REGISTRY}/data/doris-fe:2.0.3",
    "doris-be": "docker.io/apache/doris:be-2.0.3",
    "portal": f"{REGISTRY}/data/portal:0.9.1",
    "dolphinscheduler-worker": "docker.io/apache/dolphinscheduler-worker:3.2.0",
}
HARBOR = ("core", "jobservice", "portal", "registry", "database", "redis", "trivy", "exporter")


def _labels(app: str, **extra: str) -> dict[str, str]:
    return {"app": app, **extra}


def namespace(name: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}


def pod(ns: str, name: str, app: str, image: str, *, ready: bool = True, waiting: str | None = None,
        service_account: str = "default", node: str = "carbon-node-1") -> dict[str, Any]:
    state: dict[str, Any] = {"waiting": {"reason": waiting}} if waiting else {"running": {"startedAt": "2026-11-20T08:00:00Z"}}
    return {
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": name, "namespace": ns, "labels": _labels(app)},
        "spec": {"serviceAccountName": service_account, "nodeName": node,
                 "containers": [{"name": app.split("-")[0], "image": image}]},
        "status": {
            "phase": "Running",
            "conditions": [{"type": "Ready", "status": "True" if ready and not waiting else "False"}],
            "containerStatuses": [{"name": app.split("-")[0], "ready": ready and not waiting, "image": image,
                                   "restartCount": 14 if waiting == "CrashLoopBackOff" else 0, "state": state}],
        },
    }


def deployment(ns: str, name: str, image: str, replicas: int, ready: int, service_account: str = "default") -> dict[str, Any]:
    container: dict[str, Any] = {"name": name, "image": image}
    template_meta: dict[str, Any] = {"labels": _labels(name)}
    configmap_name = CONSUMERS.get(name)
    if configmap_name:
        container["envFrom"] = [{"configMapRef": {"name": configmap_name}}]
        _reads(name, configmap_name, container, template_meta)
        if configmap_name in MIGRATED:
            template_meta["annotations"] = {
                AGENT_INJECT: "true", AGENT_ROLE: name,
                AGENT_SECRET_PREFIX + configmap_name: agent_secret_path(ns, configmap_name),
            }
    spec: dict[str, Any] = {"serviceAccountName": service_account, "containers": [container]}
    if "_volumes" in template_meta:
        spec["volumes"] = template_meta.pop("_volumes")
    return {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": name, "namespace": ns, "labels": _labels(name)},
        "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
                 "template": {"metadata": template_meta, "spec": spec}},
        "status": {"replicas": replicas, "readyReplicas": ready, "availableReplicas": ready},
    }


# How the apps that read credentials consume them, beyond envFrom (as 254Carbon's do): superset takes its database
# password through a configMapKeyRef, trino-coordinator reads its shared secret from a mounted file. Each app
# declares what it needs (the emulator's `emulator.carbon.dev/needs`), so a pod that loses a credential crashes.
KEY_REFS = {"superset": {"SUPERSET_DATABASE_PASSWORD": "DATABASE_PASSWORD"}}
FILE_MOUNTS = {"trino-coordinator": "/etc/trino/secrets"}
NEEDS_ANNOTATION = "emulator.carbon.dev/needs"
CRASHING = {"doris-be": "env:DORIS_BE_ADMIN_PASSWORD"}  # crash-loops as in the report: a credential nobody gave it


def _reads(name: str, configmap_name: str, container: dict[str, Any], template_meta: dict[str, Any]) -> None:
    """Wire the less common ways of reading a credential, and declare the app's needs."""
    credentials = sorted(k for k in CREDENTIAL_CONFIGMAPS.get(configmap_name, {}) if _is_credential(k))
    needs = [f"env:{k}" for k in credentials]
    refs = KEY_REFS.get(name, {})
    if refs:
        container["env"] = [{"name": env, "valueFrom": {"configMapKeyRef": {"name": configmap_name, "key": key}}}
                            for env, key in refs.items()]
        needs = [f"env:{k}" for k in credentials if k not in refs.values()] + [f"env:{env}" for env in refs]
    mount = FILE_MOUNTS.get(name)
    if mount:
        container.pop("envFrom")
        container["volumeMounts"] = [{"name": "secrets", "mountPath": mount, "readOnly": True}]
        template_meta["_volumes"] = [{"name": "secrets", "configMap": {"name": configmap_name}}]
        needs = [f"file:{mount}/{k}" for k in credentials]
    if needs:
        template_meta.setdefault("annotations", {})[NEEDS_ANNOTATION] = ",".join(needs)


def _is_credential(key: str) -> bool:
    return any(word in key for word in ("PASSWORD", "SECRET", "TOKEN", "ACCESS_KEY"))


def certificate(ns: str, name: str, ready: bool, now: datetime) -> dict[str, Any]:
    cond = ({"type": "Ready", "status": "True", "reason": "Ready", "message": "Certificate is up to date and has not expired"}
            if ready else
            {"type": "Ready", "status": "False", "reason": "Issuing", "message": "Issuing certificate as Secret does not exist"})
    status: dict[str, Any] = {"conditions": [cond]}
    if ready:
        status["notAfter"] = (now + timedelta(days=60)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {
        "apiVersion": "cert-manager.io/v1", "kind": "Certificate",
        "metadata": {"name": name, "namespace": ns},
        "spec": {"secretName": name, "dnsNames": [f"{name.removesuffix('-tls')}.254carbon.com"],
                 "issuerRef": {"name": "letsencrypt-prod", "kind": "ClusterIssuer"}},
        "status": status,
    }


def configmap(ns: str, name: str, data: dict[str, str]) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "namespace": ns}, "data": data}


# 12 credential keys in all; lakefs's two and portal's one are already in Vault (3/12 = 25% migrated).
CREDENTIAL_CONFIGMAPS: dict[str, dict[str, str]] = {
    "datahub-config": {"DATAHUB_GMS_HOST": "datahub-gms", "EBEAN_DATASOURCE_PASSWORD": "demo-datahub-db-pass",
                       "KAFKA_SASL_PASSWORD": "demo-kafka-pass"},
    "superset-config": {"SUPERSET_SECRET_KEY": "demo-superset-secret", "DATABASE_PASSWORD": "demo-superset-db-pass",
                        "SUPERSET_WEBSERVER_PORT": "8088"},
    "minio-config": {"MINIO_ROOT_USER": "admin", "MINIO_ROOT_PASSWORD": "demo-minio-root-pass",
                     "MINIO_ACCESS_KEY": "demo-minio-access"},
    "lakefs-config": {"LAKEFS_LOGGING_LEVEL": "INFO"},
    "dolphinscheduler-config": {"SPRING_DATASOURCE_PASSWORD": "demo-ds-db-pass", "DS_API_TOKEN": "demo-ds-token"},
    "trino-config": {"TRINO_SHARED_SECRET": "demo-trino-shared", "TRINO_HTTP_PORT": "8080"},
    "portal-config": {"PORTAL_BASE_URL": "https://portal.254carbon.com"},
}
MIGRATED: dict[str, dict[str, str]] = {  # configmap -> the keys already moved to Vault (demo values)
    "lakefs-config": {"LAKEFS_AUTH_ENCRYPT_SECRET_KEY": "demo-lakefs-encrypt",
                      "LAKEFS_DATABASE_POSTGRES_CONNECTION_STRING": "postgres://lakefs:demo-lakefs-pg@postgres:5432/lakefs"},
    "portal-config": {"PORTAL_SESSION_SECRET": "demo-portal-session"},
}
CONSUMERS = {  # deployment -> the ConfigMap it reads with envFrom
    "datahub-gms": "datahub-config", "datahub-frontend": "datahub-config", "superset": "superset-config",
    "minio": "minio-config", "lakefs": "lakefs-config", "dolphinscheduler-api": "dolphinscheduler-config",
    "dolphinscheduler-master": "dolphinscheduler-config", "dolphinscheduler-worker": "dolphinscheduler-config",
    "trino-coordinator": "trino-config", "trino-worker": "trino-config", "portal": "portal-config",
}


# The cluster CA every namespace carries (as kube-root-ca.crt): a throwaway self-signed certificate whose key
# was discarded; Vault's Kubernetes auth is configured with it when Vault runs outside the cluster (the demo).
DEMO_CLUSTER_CA = """-----BEGIN CERTIFICATE-----
MIIDEzCCAfugAwIBAgIUT8WY22IRrolAOi+ewfogIgKA3Y8wDQYJKoZIhvcNAQEL
BQAwGTEXMBUGA1UEAwwOY2FyYm9uLXRlc3QtY2EwHhcNMjYxMTI3MDQ1ODM2WhcN
MzYxMTI0MDQ1ODM2WjAZMRcwFQYDVQQDDA5jYXJib24tdGVzdC1jYTCCASIwDQYJ
KoZIhvcNAQEBBQADggEPADCCAQoCggEBAMuz55rkWA7tm+37cVie4wlMyeSbrTdK
SCniSegHd5HoNPgPwQtYUx56RTBe947gDNGpKikl4W4kM9c3fb537NK2MfkwgS5B
3ZrJ6BEMcfaIUPgA38IqS54ApMiHssOsFYr8BGIUuQVOSqImbN7mzMgKnRg9+Cvi
k5NL7+jZfzWRHkIfzOmV1+Q0O9fP8B9gziR4CJNln9kTP2a33H7EWGF+H1TorcnY
v1rLnoHFMvsJcl5Xe6+noHi6WXqmM6JZiiF7Fryvwx4MomlaejH9b5I1waSFsAx2
OIW4OOo3Te6S0h8YKgLz8ak8ZzESvlvefsK9ZF26E2LpE35vC2AHwz0CAwEAAaNT
MFEwHQYDVR0OBBYEFBlB6GycR+BkZNv6LutOczIxduCtMB8GA1UdIwQYMBaAFBlB
6GycR+BkZNv6LutOczIxduCtMA8GA1UdEwEB/wQFMAMBAf8wDQYJKoZIhvcNAQEL
BQADggEBAIzGo0uxtY8xYTr81rXZEcQp4cODYbSaH4L7BA5KQ1gZv/SfnY+tU6EH
C34xufhbBiprPB8y1fZzYlkZb3IPZzleXIimkn72potn+b44Fnd9hQPpk8C4/xyG
dirquerFFuYt9IPHbAD19AAXvpZT6zzfSThXMbBnKvvLFshZMVKBDV/l3uTiEx8h
JPFn7EcRm7t1z8M6jXYiaqK5JJfZL8Vg1ucHgT98jGbDNzWEwavM2cq85ghB8/ko
6ZHwywZdYfzdeiUgRfvR52gsL1y6bwksVq7SiePBO7F2rs6n5LWqjUz/pOkYekNk
ogDo+DdrB4g6R9ZeXoyS9Sq3vn4CkdI=
-----END CERTIFICATE-----
"""


def platform_objects(now: datetime | None = None, extra_pods: int = 0, live: bool = False) -> list[dict[str, Any]]:
    """Every object of the demo platform; `extra_pods` adds healthy pods (and their neighbours) for benchmarks.

    `live`: for the emulator's workload model (`KubeEmulator(workloads=True)`): the Deployments' pods are the
    model's, not seeded, and run only when the kubelet's rules let them (Harbor images need the pull secret the
    namespace's ServiceAccounts list; each app declares the credentials it needs)."""
    now = now or datetime.now(UTC)
    objs: list[dict[str, Any]] = [namespace(ns) for ns in NAMESPACES]
    objs.append({"apiVersion": "v1", "kind": "Node", "metadata": {"name": "carbon-node-1",
                 "labels": {"kubernetes.io/hostname": "carbon-node-1"}},
                 "status": {"conditions": [{"type": "Ready", "status": "True"}]}})
    objs += [pod("registry", f"harbor-{part}-0", "harbor", f"goharbor/harbor-{part}:v2.10.0") for part in HARBOR]
    for pod_obj in objs[-len(HARBOR):]:
        pod_obj["metadata"]["labels"]["component"] = pod_obj["metadata"]["name"].split("-")[1]
    objs += [pod("cloudflare-tunnel", f"cloudflared-{i}", "cloudflared", "cloudflare/cloudflared:2024.1.5") for i in (0, 1)]
    objs.append(pod("vault-prod", "vault-0", "vault", "hashicorp/vault:1.15.4"))
    for name, replicas in SCALED_DOWN.items():
        image = SCALED_DOWN_FROM_DOCKER_HUB.get(name, f"{REGISTRY}/data/{name}:latest")
        objs.append(deployment("data-platform", name, image, 0, 0))
        objs[-1]["metadata"]["annotations"] = {"carbon.254carbon.com/target-replicas": str(replicas)}
    for name, image in RUNNING.items():
        crash = name == "doris-be"
        objs.append(deployment("data-platform", name, image, 1, 0 if crash else 1))
        if live:
            if crash:
                objs[-1]["spec"]["template"]["metadata"].setdefault("annotations", {})[NEEDS_ANNOTATION] = CRASHING[name]
            continue
        objs.append(pod("data-platform", f"{name}-7d9f8", name, image, waiting="CrashLoopBackOff" if crash else None))
    for app, image in (("prometheus", "quay.io/prometheus/prometheus:v2.48.1"), ("grafana", "grafana/grafana:10.2.3"),
                       ("loki", "grafana/loki:2.9.3")):
        objs.append(pod("monitoring", f"{app}-0", app, image))
    objs.append(pod("ingress-nginx", "ingress-nginx-controller-5c8d", "ingress-nginx",
                    "registry.k8s.io/ingress-nginx/controller:v1.9.5"))
    objs.append(pod("cert-manager", "cert-manager-6d4b", "cert-manager", "quay.io/jetstack/cert-manager-controller:v1.13.3"))
    objs.append(pod("kube-system", "coredns-5d78c", "coredns", "registry.k8s.io/coredns/coredns:v1.11.1"))
    objs += [certificate("data-platform", f"{svc}-tls", svc != "dolphinscheduler", now) for svc in TLS_SERVICES]
    objs.append(certificate("vault-prod", "vault-tls", True, now))
    objs.append({"apiVersion": "cert-manager.io/v1", "kind": "ClusterIssuer", "metadata": {"name": "letsencrypt-prod"},
                 "spec": {"acme": {"server": "https://acme-v02.api.letsencrypt.org/directory"}},
                 "status": {"conditions": [{"type": "Ready", "status": "True"}]}})
    objs += [configmap("data-platform", name, data) for name, data in CREDENTIAL_CONFIGMAPS.items()]
    objs.append(configmap("default", "kube-root-ca.crt", {"ca.crt": DEMO_CLUSTER_CA}))
    objs += security_objects(objs)
    objs += _filler(extra_pods)
    if live:  # the pull secret before any pod, as the ServiceAccount admission controller reads it at pod creation
        pulls = pull_secret_objects()
        # Those accounts list the pull secret; security_objects' bare copies would replace them after the first pods
        # were admitted, and every pod created later (a scale-up, a rollout) could no longer pull from Harbor.
        listed = {(o["metadata"]["namespace"], o["metadata"]["name"]) for o in pulls if o["kind"] == "ServiceAccount"}
        objs = [o for o in objs if o["kind"] != "ServiceAccount"
                or (o["metadata"].get("namespace"), o["metadata"]["name"]) not in listed]
        objs[len(NAMESPACES):len(NAMESPACES)] = pulls
        for obj in objs:
            if obj["kind"] == "Deployment":
                obj.pop("status", None)
    return objs


PULL_SECRET = "harbor-pull"


def pull_secret_objects() -> list[dict[str, Any]]:
    """Harbor is private: the data-platform ServiceAccounts list its pull secret, as 254Carbon's `default` does."""
    auths = {"auths": {REGISTRY: {"auth": base64.b64encode(b"robot$carbon:demo-harbor-robot").decode()}}}
    secret = {"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/dockerconfigjson",
              "metadata": {"name": PULL_SECRET, "namespace": "data-platform"},
              "data": {".dockerconfigjson": base64.b64encode(json.dumps(auths).encode()).decode()}}
    accounts = [{"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": name, "namespace": "data-platform"},
                 "imagePullSecrets": [{"name": PULL_SECRET}]} for name in ("default", *OWN_SERVICE_ACCOUNTS)]
    return [secret, *accounts]


OWN_SERVICE_ACCOUNTS = ("lakefs", "portal")  # the only workloads not on `default`


def security_objects(objs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Phase 2/3 as the report found them: one default-deny (registry), 2 of 13 workloads on their own
    ServiceAccount, dolphinscheduler bound to cluster-admin, a tight portal-reader Role; no PDBs, one
    node, no Velero objects (the CRDs are served, nothing is scheduled)."""
    for obj in objs:
        if obj["kind"] == "Deployment" and obj["metadata"]["name"] in OWN_SERVICE_ACCOUNTS:
            obj["spec"]["template"]["spec"]["serviceAccountName"] = obj["metadata"]["name"]
    added: list[dict[str, Any]] = [
        {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": name, "namespace": "data-platform"}}
        for name in (*OWN_SERVICE_ACCOUNTS, "dolphinscheduler")
    ]
    added.append({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
                  "metadata": {"name": "default-deny-ingress", "namespace": "registry"},
                  "spec": {"podSelector": {}, "policyTypes": ["Ingress"]}})
    added.append({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
                  "metadata": {"name": "dolphinscheduler-admin"},
                  "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cluster-admin"},
                  "subjects": [{"kind": "ServiceAccount", "name": "dolphinscheduler", "namespace": "data-platform"}]})
    added.append({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
                  "metadata": {"name": "portal-reader", "namespace": "data-platform"},
                  "rules": [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get", "list"]}]})
    return added


def _filler(count: int) -> list[dict[str, Any]]:
    """Healthy pods spread over namespaces of ~50, with a ConfigMap and a Deployment per 10 pods and a
    Certificate per 50, to scale benchmarks (none of them credentials, so measured fractions stay put)."""
    objs: list[dict[str, Any]] = []
    now = datetime.now(UTC)
    for i in range(count):
        ns = f"tenant-{i // 50:03d}"
        if i % 50 == 0:
            objs.append(namespace(ns))
            objs.append(certificate(ns, f"tenant-{i // 50:03d}-tls", True, now))
        objs.append(pod(ns, f"worker-{i:05d}", f"worker-{i % 7}", f"{REGISTRY}/tenants/worker:1.0"))
        if i % 10 == 0:
            objs.append(configmap(ns, f"settings-{i:05d}", {"LOG_LEVEL": "info", "REGION": "eu-1"}))
            objs.append(deployment(ns, f"worker-{i:05d}", f"{REGISTRY}/tenants/worker:1.0", 1, 1))
    return objs


def seed_vault(client: hvac.Client) -> None:
    """The credentials already migrated before Carbon arrived (3 of 12)."""
    for configmap_name, data in MIGRATED.items():
        client.secrets.kv.v2.create_or_update_secret(
            path=vault_path("data-platform", configmap_name), secret=data, mount_point=KV_MOUNT,
        )
