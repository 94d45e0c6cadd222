"""The Kubernetes gateway: the only module that talks to the API server (through the official client).

Lists are fetched across all namespaces, page by page, and decoded as plain JSON rather than into the
client's model classes (half the time and memory at 5,000 pods, see ARCHITECTURE.md). Every failure
becomes `Unavailable` with a reason safe to show; the client's exception text (headers, body) is
never passed on.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import urllib3
from kubernetes.client import ApiClient
from kubernetes.client.exceptions import ApiException

from bot.cluster.resources import ResourceType, resource
from bot.errors import Unavailable

# Pages of 2,000: few round trips at thousands of pods, while a page stays a few MiB of JSON.
PAGE_SIZE = 2000
JSON = "application/json"
# Connections the client keeps for reuse: one per kind the watch-fed view watches (18), the checks' parallel reads
# (8 workers), actions and health gates beside them. The client's default (5 per CPU: 10 on 2 cores) is smaller than
# the watches alone, so urllib3 discarded connections with a warning each time the view stopped.
CONNECTIONS = 40


class ClusterGateway:
    def __init__(self, api_client: ApiClient, *, timeout_s: float = 15.0, page_size: int = PAGE_SIZE) -> None:
        self.api = api_client
        self.timeout_s = timeout_s
        self.page_size = page_size
        # Told (verb, resource, status) of every failed call: the wiring points it at the error counter.
        self.on_error: Callable[[str, str, str], None] | None = None

    @property
    def host(self) -> str:
        return str(self.api.configuration.host)

    def list_all(self, plural: str) -> list[dict[str, Any]]:
        """Every object of a kind in every namespace: one paginated list, plain dicts."""
        return [item for page in self.pages(plural) for item in page.get("items") or []]

    def pages(self, plural: str, page_size: int | None = None) -> Iterator[dict[str, Any]]:
        """The pages of a list across all namespaces, as the server sends them (`limit`/`continue`), so a caller can
        trim each page before the next arrives; the last page's `metadata.resourceVersion` is where a watch starts."""
        rtype = resource(plural)
        token: str | None = None
        while True:
            query: list[tuple[str, Any]] = [("limit", page_size or self.page_size)]
            if token:
                query.append(("continue", token))
            page = self.request("GET", rtype, rtype.path(), query=query, verb="list")
            token = (page.get("metadata") or {}).get("continue")
            yield page
            if not token:
                return

    def list_in(self, plural: str, namespace: str, label_selector: str = "") -> list[dict[str, Any]]:
        """The objects of one namespace matching a label selector (one page: a workload's pods, a gate's poll)."""
        rtype = resource(plural)
        query: list[tuple[str, Any]] = [("limit", self.page_size)]
        if label_selector:
            query.append(("labelSelector", label_selector))
        return list(self.request("GET", rtype, rtype.path(namespace), query=query, verb="list").get("items") or [])

    def request_token(self, namespace: str, service_account: str, expiration_s: int = 600) -> str:
        """A short-lived token for a ServiceAccount (TokenRequest), as a projected volume would give its pods."""
        rtype = resource("serviceaccounts")
        body = {"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest", "spec": {"expirationSeconds": expiration_s}}
        answer = self.request("POST", rtype, rtype.path(namespace, service_account, "token"), body=body, verb="create")
        return str((answer.get("status") or {}).get("token") or "")

    def get(self, plural: str, name: str, namespace: str | None = None) -> dict[str, Any] | None:
        rtype = resource(plural)
        try:
            return self.request("GET", rtype, rtype.path(namespace, name), verb="get")
        except NotFound:
            return None

    def get_lease(self, namespace: str, name: str) -> dict[str, Any] | None:
        return self.get("leases", name, namespace)

    def create_lease(self, namespace: str, body: dict[str, Any]) -> dict[str, Any]:
        """Raises Conflict when the Lease already exists (someone else created it first)."""
        rtype = resource("leases")
        return self.request("POST", rtype, rtype.path(namespace), body=body, verb="create")

    def replace_lease(self, namespace: str, name: str, body: dict[str, Any]) -> dict[str, Any]:
        """Compare-and-swap on `metadata.resourceVersion`: raises Conflict when the Lease changed since it was read."""
        rtype = resource("leases")
        return self.request("PUT", rtype, rtype.path(namespace, name), body=body, verb="update")

    def with_timeout(self, timeout_s: float) -> ClusterGateway:
        """The same client with another request timeout (leader election must answer well within a lease)."""
        other = ClusterGateway(self.api, timeout_s=timeout_s, page_size=self.page_size)
        other.on_error = self.report  # this gateway's hook at call time: wiring after the copy still counts
        return other

    def report(self, verb: str, resource: str, status: str) -> None:
        """Count a failed call (the watch stream reports its own failures through this too)."""
        if self.on_error is not None:
            self.on_error(verb, resource, status)

    # -- writes: each takes dry_run, which asks the server to validate and answer without persisting (dryRun=All)
    def create(self, plural: str, obj: dict[str, Any], *, dry_run: bool = False) -> dict[str, Any]:
        rtype = resource(plural)
        namespace = (obj.get("metadata") or {}).get("namespace")
        return self.request("POST", rtype, rtype.path(namespace), query=_dry(dry_run), body=obj, verb="create")

    def patch(self, plural: str, name: str, namespace: str | None, body: Any, *, patch: str = "merge",
              subresource: str | None = None, dry_run: bool = False) -> dict[str, Any]:
        """`patch` is merge, strategic or json (RFC 6902: a list of operations)."""
        rtype = resource(plural)
        return self.request("PATCH", rtype, rtype.path(namespace, name, subresource), query=_dry(dry_run), body=body,
                            content_type=PATCH_TYPES[patch], verb="patch")

    def delete(self, plural: str, name: str, namespace: str | None, *, dry_run: bool = False) -> dict[str, Any]:
        rtype = resource(plural)
        return self.request("DELETE", rtype, rtype.path(namespace, name), query=_dry(dry_run), verb="delete")

    def apply(self, plural: str, obj: dict[str, Any], *, field_manager: str = "carbon",
              dry_run: bool = False) -> dict[str, Any]:
        """Server-side apply: Carbon owns the fields it sets, and a second apply of the same object changes nothing."""
        rtype = resource(plural)
        meta = obj.get("metadata") or {}
        query = [("fieldManager", field_manager), ("force", "true"), *_dry(dry_run)]
        return self.request("PATCH", rtype, rtype.path(meta.get("namespace"), meta.get("name")), query=query, body=obj,
                            content_type="application/apply-patch+yaml", verb="patch")

    def request(self, method: str, rtype: ResourceType, path: str, *, query: list[tuple[str, Any]] | None = None,
                body: Any = None, content_type: str = JSON, verb: str = "") -> dict[str, Any]:
        verb = verb or method.lower()
        try:
            return self._call(method, rtype, path, query, body, content_type, verb)
        except Unavailable as exc:
            expected = verb == "get" and exc.status == "404"  # `get` answers None for a missing object
            if not expected:
                self.report(verb, rtype.plural, exc.status)
            raise

    def _call(self, method: str, rtype: ResourceType, path: str, query: list[tuple[str, Any]] | None, body: Any,
              content_type: str, verb: str) -> dict[str, Any]:
        headers = {"Accept": JSON}
        if body is not None:
            headers["Content-Type"] = content_type
        try:
            serialized = self.api.param_serialize(
                method=method, resource_path=path, query_params=query or [], header_params=headers,
                body=body, auth_settings=["BearerToken"],
            )
            response = self.api.call_api(*serialized, _request_timeout=self.timeout_s)
            data = response.read()
        except ApiException as exc:
            raise http_failure(exc.status, verb, rtype, path) from None
        except urllib3.exceptions.TimeoutError:
            raise tagged(Unavailable(f"the cluster did not answer within {self.timeout_s:g}s"), "timeout") from None
        except (urllib3.exceptions.HTTPError, OSError):
            raise tagged(Unavailable("the cluster API is unreachable"), "unreachable") from None
        if not 200 <= response.status <= 299:
            raise http_failure(response.status, verb, rtype, path)
        try:
            return json.loads(data) if data else {}
        except ValueError:
            raise tagged(Unavailable(f"the cluster answered {verb} {rtype.plural} with something that is not JSON"),
                          "invalid") from None


PATCH_TYPES = {"merge": "application/merge-patch+json", "strategic": "application/strategic-merge-patch+json",
               "json": "application/json-patch+json"}


def _dry(dry_run: bool) -> list[tuple[str, Any]]:
    return [("dryRun", "All")] if dry_run else []


class NotFound(Unavailable):
    pass


class Conflict(Unavailable):
    pass


def tagged(exc: Unavailable, status: str) -> Unavailable:
    """Tag the error with what the metrics label it by (the HTTP status, or timeout / unreachable / invalid)."""
    exc.status = status
    return exc


def http_failure(status: int, verb: str, rtype: ResourceType, path: str) -> Unavailable:
    """An HTTP failure status as Unavailable with a reason safe to show (NotFound, Conflict for 404, 409)."""
    return tagged(_reason(status, verb, rtype, path), str(status))


def _reason(status: int, verb: str, rtype: ResourceType, path: str) -> Unavailable:
    what = f"{verb} {rtype.plural}"
    if status == 401:
        return Unavailable(f"the cluster refused our credentials ({what}: 401 Unauthorized)")
    if status == 403:
        return Unavailable(f"the cluster denied {what} (403 Forbidden): the bot's RBAC lacks '{verb}' on {rtype.plural}")
    if status == 404:
        if verb == "list":
            crd = f"{rtype.plural}.{rtype.group or 'core'}"
            return NotFound(f"{rtype.kind} is not served by this cluster (is the CRD {crd} installed?)")
        return NotFound(f"{rtype.kind} {path.rsplit('/', 1)[-1]} not found")
    if status == 409:
        return Conflict(f"{what}: conflict (409): the object changed or already exists")
    if status == 422:
        return Unavailable(f"{what}: the cluster rejected the object as invalid (422)")
    if status == 429 or status >= 500:
        return Unavailable(f"the cluster API failed on {what} ({status})")
    return Unavailable(f"the cluster answered {what} with HTTP {status}")


def ping(gateway: ClusterGateway) -> None:
    """Raises Unavailable unless the API server answers /version: the cheapest authenticated-less probe."""
    rtype = ResourceType("", "v1", "Version", "version", namespaced=False)
    gateway.request("GET", rtype, "/version", verb="get")
