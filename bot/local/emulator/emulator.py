"""KubeEmulator: an in-memory Kubernetes API server on loopback for tests and `carbon console --demo`.

The real `kubernetes` client (and kubectl) talk to it over HTTP, so code under test exercises its
real serialization, URL building and error handling; the emulator adds seeding, request
recording and failure injection on the side.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterable
from pathlib import Path
from types import TracebackType
from typing import Any

import yaml
from kubernetes import client as k8s

from bot.cluster.gateway import CONNECTIONS
from bot.local.emulator.api import Api
from bot.local.emulator.controllers import Controller
from bot.local.emulator.failures import FailureInjector, FailureRule
from bot.local.emulator.inproc import InProcessClient
from bot.local.emulator.listing import with_type
from bot.local.emulator.recording import RecordedRequest, RequestLog
from bot.local.emulator.resources import ResourceRegistry, ResourceType
from bot.local.emulator.store import ObjectStore
from bot.local.emulator.transport import EmulatorHTTPServer
from bot.local.emulator.workload_model import workload_controllers

TOKEN = "carbon-emulator-token"  # any bearer token is accepted; this one only fills the header


class KubeEmulator:
    """An emulated kube-apiserver: `start()` it, point a client at `url`, seed with `add()`."""

    def __init__(self, *, settle_workloads: bool = False, workloads: bool = False,
                 private_registries: tuple[str, ...] = ()) -> None:
        """`settle_workloads`: scaled Deployments/StatefulSets report every replica ready at once (for the demo).

        `workloads`: run the workload model instead (supersedes `settle_workloads`): Deployment -> ReplicaSet
        -> Pods and StatefulSet -> Pods controllers and a kubelet stand-in that starts, blocks or crashes pods
        by the kubelet's rules; images from `private_registries` hosts need a pull secret. Off by default so
        tests that seed statuses by hand keep them."""
        self.registry = ResourceRegistry()
        self.store = ObjectStore()
        self._api = Api(self.registry, self.store, lambda: self.url.removeprefix("http://"))
        self._ops = self._api.ops
        self._ops.settle_workloads = settle_workloads and not workloads
        self.client = InProcessClient(self._ops)
        if workloads:
            for controller in workload_controllers(self.client, tuple(private_registries)):
                self.add_controller(controller)
        self._failures = FailureInjector()
        self._log = RequestLog()
        self._server: EmulatorHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.add({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "default"}})

    # -- lifecycle -----------------------------------------------------------------------------
    def start(self, port: int = 0) -> KubeEmulator:
        """Bind 127.0.0.1 on `port` (0: a free one) and serve from a daemon thread. After `stop()`, starting on the
        same port with the same store is an API server restart: clients reconnect and resume their watches."""
        if self._server is not None:
            return self
        self.store.closed = False
        self._server = EmulatorHTTPServer(("127.0.0.1", port), self._api, self._failures, self._log)
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.5},
                                        name="kube-emulator", daemon=True)
        self._thread.start()
        return self

    def compact(self) -> None:
        """Compact the change log (etcd compaction): watches from an older resourceVersion get 410 Gone."""
        self.store.compact()

    def stop(self) -> None:
        """Stop serving, end watches, close connections and free the port."""
        if self._server is None:
            return
        self.store.close()
        self._shutdown_promptly(self._server)
        self._server.close_connections()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server, self._thread = None, None

    @staticmethod
    def _shutdown_promptly(server: EmulatorHTTPServer) -> None:
        """`shutdown()` waits for the serve loop's next poll; connecting wakes the loop at once."""
        stopper = threading.Thread(target=server.shutdown, daemon=True)
        stopper.start()
        while stopper.is_alive():
            try:
                socket.create_connection(server.server_address[:2], timeout=0.2).close()
            except OSError:
                pass
            stopper.join(0.01)

    def __enter__(self) -> KubeEmulator:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("KubeEmulator is not started; call start() first")
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    # -- clients -------------------------------------------------------------------------------
    def api_client(self) -> k8s.ApiClient:
        """A real kubernetes ApiClient aimed at this emulator with a dummy bearer token."""
        config = k8s.Configuration(host=self.url)
        config.connection_pool_maxsize = CONNECTIONS  # as the bot's own clients: room for the view's watches
        config.api_key = {"authorization": TOKEN}
        config.api_key_prefix = {"authorization": "Bearer"}
        return k8s.ApiClient(config)

    def write_kubeconfig(self, path: str | Path) -> Path:
        """A kubeconfig (cluster/user/context "emulator") for kubectl or `config.load_kube_config`."""
        doc = {
            "apiVersion": "v1", "kind": "Config", "preferences": {},
            "clusters": [{"name": "emulator", "cluster": {"server": self.url}}],
            "users": [{"name": "emulator", "user": {"token": TOKEN}}],
            "contexts": [{"name": "emulator",
                          "context": {"cluster": "emulator", "user": "emulator", "namespace": "default"}}],
            "current-context": "emulator",
        }
        target = Path(path)
        target.write_text(yaml.safe_dump(doc, sort_keys=False))
        return target

    # -- seeding and inspection ----------------------------------------------------------------
    def add(self, obj: dict[str, Any]) -> dict[str, Any]:
        """Store a manifest as-is (status kept), creating its namespace; overwrites same-name objects.

        Controllers (if any) then settle, so a seeded Deployment has its pods when this returns."""
        with self.store.lock:
            stored = self._ops.seed(obj)
            self.settle()
        return stored

    # -- controllers ---------------------------------------------------------------------------
    def add_controller(self, controller: Controller) -> None:
        """Run `controller` after every committed write (see controllers.py); it sees what is stored already."""
        self._api.controllers.add(controller)
        self.settle()

    def settle(self) -> None:
        """Let the controllers catch up now (writes through the API and `add()` already do this)."""
        self._api.controllers.settle()

    def add_all(self, objs: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
        return [self.add(obj) for obj in objs]

    def get(self, kind_or_plural: str, name: str, namespace: str | None = None) -> dict[str, Any] | None:
        rt = self.registry.resolve(kind_or_plural)
        found = self.store.get(rt, (namespace or "default") if rt.namespaced else None, name)
        return with_type(rt, found) if found is not None else None

    def list(self, kind_or_plural: str, namespace: str | None = None) -> list[dict[str, Any]]:
        """Stored objects ordered by (namespace, name); all namespaces when `namespace` is None."""
        rt = self.registry.resolve(kind_or_plural)
        return [with_type(rt, o) for o in self.store.items(rt, namespace if rt.namespaced else None)]

    def register_resource(self, group: str, version: str, kind: str, plural: str, namespaced: bool = True,
                          subresources: tuple[str, ...] = ()) -> None:
        """Serve an extra custom resource (CRD-like: merge patch only, DELETE returns the object), and store its
        CustomResourceDefinition, as installing an operator does: clients find out what is installed that way."""
        self.registry.register(ResourceType(group, version, kind, plural, namespaced, tuple(subresources),
                                            builtin=False))
        self.add({"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
                  "metadata": {"name": f"{plural}.{group}"},
                  "spec": {"group": group, "names": {"kind": kind, "plural": plural},
                           "scope": "Namespaced" if namespaced else "Cluster",
                           "versions": [{"name": version, "served": True, "storage": True}]}})

    def uninstall_resource(self, kind_or_plural: str) -> ResourceType:
        """Stop serving a custom resource (as if its CRD were not installed); `registry.register` it back."""
        rt = self.registry.resolve(kind_or_plural)
        self.registry.unregister(rt.plural)
        return rt

    # -- traffic -------------------------------------------------------------------------------
    @property
    def requests(self) -> list[RecordedRequest]:
        return self._log.snapshot()

    def reset_requests(self) -> None:
        self._log.clear()

    def fail(self, resource: str, *, status: int = 403, method: str | None = None, namespace: str | None = None,
             times: int | None = None, delay_s: float = 0.0, reason: str | None = None,
             hold: threading.Event | None = None, verb: str | None = None) -> FailureRule | None:
        """Answer matching requests with `status` (0 = only delay or hold); `times` None = until cleared.
        With `hold`, a matching request waits until it is set (its rule's `reached` says one arrived). `verb`
        narrows it to one RBAC verb (`watch`, `list`, `get`, …)."""
        if times is not None and times <= 0:
            return None
        rule = FailureRule(resource, status, method, namespace, times, delay_s, reason, hold, verb=verb)
        self._failures.add(rule)
        return rule

    def clear_failures(self) -> None:
        self._failures.clear()
