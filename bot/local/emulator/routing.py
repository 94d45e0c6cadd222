"""URL routing: turn a request path into a resource target or a discovery document.

The python client and kubectl build URLs from discovery data, so the emulator must accept the exact
REST layout: /api/v1/..., /apis/{group}/{version}/..., optional namespaces/{ns}/ prefix, object
name and subresource. Paths that do not name a served resource are 404 like the real server.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote

from bot.local.emulator.errors import method_not_allowed, unknown_path
from bot.local.emulator.resources import ResourceRegistry, ResourceType

_VERBS = {
    ("GET", False): "list",
    ("GET", True): "get",
    ("POST", False): "create",
    ("PUT", True): "update",
    ("PATCH", True): "patch",
    ("DELETE", True): "delete",
    ("DELETE", False): "deletecollection",
}


@dataclass(frozen=True)
class ResourceRoute:
    """A request for objects: namespace None means cluster scope or all namespaces."""

    rt: ResourceType
    namespace: str | None
    name: str | None
    subresource: str | None

    def verb(self, method: str, watch: bool = False) -> str:
        """The RBAC verb the real server would authorize (used in Forbidden messages)."""
        if method == "GET" and self.name is None and watch:
            return "watch"
        return _VERBS.get((method, self.name is not None), method.lower())

    def check_method(self, method: str) -> None:
        """405 for verbs this route cannot take, as the real server answers."""
        allowed = {"GET", "PUT", "PATCH", "DELETE"} if self.name else {"GET", "POST"}
        if self.subresource:
            allowed = {"POST"} if self.subresource == "token" else {"GET", "PUT", "PATCH"}
        if self.rt.kind == "TokenReview":
            allowed = {"POST"}
        if method not in allowed:
            raise method_not_allowed()
        if method == "POST" and self.rt.namespaced and self.namespace is None and not self.subresource:
            raise method_not_allowed()


@dataclass(frozen=True)
class DiscoveryRoute:
    """A discovery or health document: version, api, apis, group, resources, health."""

    doc: str
    group: str = ""
    version: str = ""


def parse(path: str, registry: ResourceRegistry) -> ResourceRoute | DiscoveryRoute:
    parts = [unquote(p) for p in path.split("?", 1)[0].strip("/").split("/") if p]
    if parts in (["version"], ["healthz"], ["readyz"], ["livez"]):
        return DiscoveryRoute("version" if parts == ["version"] else "health")
    if parts == ["api"]:
        return DiscoveryRoute("api")
    if parts == ["apis"]:
        return DiscoveryRoute("apis")
    if parts[:1] == ["api"] and len(parts) >= 2:
        group, version, rest = "", parts[1], parts[2:]
    elif parts[:1] == ["apis"] and len(parts) >= 2:
        if len(parts) == 2:
            if parts[1] not in registry.groups():
                raise unknown_path()
            return DiscoveryRoute("group", parts[1])
        group, version, rest = parts[1], parts[2], parts[3:]
    else:
        raise unknown_path()
    if version not in registry.groups().get(group, []):
        raise unknown_path()
    if not rest:
        return DiscoveryRoute("resources", group, version)
    return _resource_route(registry, group, version, rest)


def _resource_route(registry: ResourceRegistry, group: str, version: str, rest: list[str]) -> ResourceRoute:
    namespace: str | None = None
    if rest[0] == "namespaces" and len(rest) >= 3:
        candidate = registry.by_path(group, version, rest[2])
        if candidate is not None and candidate.namespaced:
            namespace, rest = rest[1], rest[2:]
    rt = registry.by_path(group, version, rest[0])
    if rt is None or len(rest) > 3 or (namespace is not None and not rt.namespaced):
        raise unknown_path()
    name = rest[1] if len(rest) >= 2 else None
    subresource = rest[2] if len(rest) == 3 else None
    if rt.namespaced and namespace is None and name is not None:
        raise unknown_path()
    if subresource is not None and not rt.has(subresource):
        raise unknown_path()
    return ResourceRoute(rt, namespace, name, subresource)
