"""Request dispatch: (method, route, query, body) to a response document, independent of HTTP I/O.

Keeping the REST semantics apart from the socket handling lets the HTTP layer stay a thin shell
(recording, failure injection, chunked watch output) around one function that decides the answer.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import yaml

from bot.local.emulator import discovery
from bot.local.emulator.controllers import ControllerRunner
from bot.local.emulator.errors import ApiError, method_not_allowed
from bot.local.emulator.listing import list_objects, with_type
from bot.local.emulator.operations import Operations
from bot.local.emulator.resources import ResourceRegistry
from bot.local.emulator.routing import DiscoveryRoute, ResourceRoute
from bot.local.emulator.store import Obj, ObjectStore
from bot.local.emulator.tables import to_table, wants_table
from bot.local.emulator.tokens import TokenAuthority
from bot.local.emulator.watch import WatchRequest


@dataclass
class Response:
    """A JSON answer, or (for watches) a stream to run after the headers are sent."""

    status: int
    body: Obj | str | None = None
    watch: WatchRequest | None = None


def decode_body(raw: bytes, content_type: str) -> Any:
    """JSON (what clients send), or YAML when the request says so."""
    if not raw:
        return None
    try:
        if "yaml" in content_type.lower():
            return yaml.safe_load(raw)
        return json.loads(raw)
    except (ValueError, yaml.YAMLError) as exc:
        raise ApiError(400, f"the object provided is unrecognized or could not be decoded: {exc}") from None


class Api:
    """The emulated REST API over one registry and store."""

    def __init__(self, registry: ResourceRegistry, store: ObjectStore, address: Callable[[], str]) -> None:
        self.registry = registry
        self.store = store
        self.ops = Operations(store, registry)
        self.controllers = ControllerRunner(store)
        self.tokens = TokenAuthority(store, registry)
        self._address = address

    def discovery(self, method: str, route: DiscoveryRoute) -> Response:
        if method != "GET":
            raise method_not_allowed()
        docs: dict[str, Callable[[], Obj | str]] = {
            "version": discovery.version_info,
            "health": lambda: "ok",
            "api": lambda: discovery.core_versions(self._address()),
            "apis": lambda: discovery.group_list(self.registry),
            "group": lambda: discovery.group(self.registry, route.group),
            "resources": lambda: discovery.resource_list(self.registry, route.group, route.version),
        }
        return Response(200, docs[route.doc]())

    def resource(self, method: str, route: ResourceRoute, query: Mapping[str, str],
                 headers: Mapping[str, str], raw: bytes) -> Response:
        """Answer one request; after a write, the controllers settle before the answer goes out."""
        if method == "GET":
            return self._resource(method, route, query, headers, raw)
        with self.store.lock:
            response = self._resource(method, route, query, headers, raw)
            self.controllers.settle()
            return response

    def _resource(self, method: str, route: ResourceRoute, query: Mapping[str, str],
                  headers: Mapping[str, str], raw: bytes) -> Response:
        route.check_method(method)
        dry_run = query.get("dryRun")
        if dry_run not in (None, "", "All"):
            raise ApiError(400, f'Invalid value: "{dry_run}": supported values: "All"')
        dry = dry_run == "All"
        ctype = headers.get("Content-Type", "application/json")
        rt, ns, name, sub = route.rt, route.namespace, route.name, route.subresource
        if method == "GET" and name is None:
            if query.get("watch") in ("true", "1"):
                return Response(200, watch=WatchRequest(self.store, rt, ns, query))
            listed = list_objects(self.store, rt, ns, query)
            return Response(200, to_table(rt, listed) if wants_table(headers) else listed)
        if method == "GET":
            obj = self.ops.read(rt, ns, name, sub)  # type: ignore[arg-type]
            return Response(200, to_table(rt, obj) if wants_table(headers) and not sub else obj)
        if method == "POST" and rt.kind == "TokenReview":
            return Response(201, self.tokens.review(decode_body(raw, ctype)))
        if method == "POST" and sub == "token":
            return Response(201, self.tokens.request(ns or "default", name or "", decode_body(raw, ctype)))
        if method == "POST":
            return Response(201, with_type(rt, self.ops.create(rt, ns, decode_body(raw, ctype), dry_run=dry)))
        assert name is not None
        if method == "PUT":
            body = decode_body(raw, ctype)
            return Response(200, self.ops.replace(rt, ns, name, body, dry_run=dry, subresource=sub))
        if method == "PATCH":
            code, obj = self.ops.patch(rt, ns, name, raw, ctype, dry_run=dry, subresource=sub,
                                       field_manager=query.get("fieldManager"))
            return Response(code, obj)
        options = decode_body(raw, ctype) or {}
        if isinstance(options, dict) and query.get("propagationPolicy"):
            options["propagationPolicy"] = query["propagationPolicy"]
        return Response(200, self.ops.delete(rt, ns, name, options, dry_run=dry))
