"""API errors rendered as metav1.Status, the shape every Kubernetes client parses.

Clients branch on `code` and `reason` (the python client's ApiException carries both), so the
emulator must produce the same reason/message pairs the real API server does, or error handling
tested here would not hold against a real cluster.
"""

from __future__ import annotations

from typing import Any

from bot.local.emulator.resources import ResourceType

REASONS: dict[int, str] = {
    400: "BadRequest",
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    405: "MethodNotAllowed",
    406: "NotAcceptable",
    409: "Conflict",
    410: "Expired",
    415: "UnsupportedMediaType",
    422: "Invalid",
    429: "TooManyRequests",
    500: "InternalError",
    503: "ServiceUnavailable",
    504: "Timeout",
}


class ApiError(Exception):
    """A failed API call; `status_body()` is what goes on the wire."""

    def __init__(
        self,
        code: int,
        message: str,
        reason: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.reason = reason or REASONS.get(code, "Unknown")
        self.details = details

    def status_body(self) -> dict[str, Any]:
        return status_body(self.code, self.message, self.reason, self.details)


def status_body(
    code: int, message: str, reason: str | None = None, details: dict[str, Any] | None = None
) -> dict[str, Any]:
    """A metav1.Status for failure (`code` >= 400) or Success."""
    body: dict[str, Any] = {"kind": "Status", "apiVersion": "v1", "metadata": {}}
    if code >= 400:
        body.update(status="Failure", message=message, reason=reason or REASONS.get(code, "Unknown"))
    else:
        body["status"] = "Success"
    if details:
        body["details"] = details
    body["code"] = code
    return body


def _details(rt: ResourceType, name: str) -> dict[str, Any]:
    details: dict[str, Any] = {"name": name, "kind": rt.plural}
    if rt.group:
        details["group"] = rt.group
    return details


def qualified(rt: ResourceType) -> str:
    """How messages name a resource: "pods", "deployments.apps"."""
    return rt.key


def not_found(rt: ResourceType, name: str) -> ApiError:
    return ApiError(404, f'{qualified(rt)} "{name}" not found', details=_details(rt, name))


def namespace_not_found(namespace: str) -> ApiError:
    return ApiError(404, f'namespaces "{namespace}" not found', details={"name": namespace, "kind": "namespaces"})


def already_exists(rt: ResourceType, name: str) -> ApiError:
    return ApiError(
        409, f'{qualified(rt)} "{name}" already exists', "AlreadyExists", details=_details(rt, name)
    )


def conflict(rt: ResourceType, name: str) -> ApiError:
    return ApiError(
        409,
        f'Operation cannot be fulfilled on {qualified(rt)} "{name}": the object has been modified; '
        "please apply your changes to the latest version and try again",
        details=_details(rt, name),
    )


def invalid(rt: ResourceType, name: str, field: str, problem: str) -> ApiError:
    details = _details(rt, name) | {"causes": [{"reason": "FieldValueInvalid", "message": problem, "field": field}]}
    return ApiError(422, f'{rt.kind} "{name}" is invalid: {field}: {problem}', details=details)


def bad_request(message: str) -> ApiError:
    return ApiError(400, message)


def method_not_allowed() -> ApiError:
    return ApiError(405, "the server does not allow this method on the requested resource")


def unknown_path() -> ApiError:
    return ApiError(404, "the server could not find the requested resource")


def injected(code: int, rt: ResourceType | None, verb: str, namespace: str | None, reason: str | None) -> ApiError:
    """The error a `KubeEmulator.fail()` rule produces, worded like the real server's."""
    plural = rt.plural if rt else "resource"
    group = rt.group if rt else ""
    if code == 403:
        where = f' in the namespace "{namespace}"' if namespace else " at the cluster scope"
        message = (
            f'{plural} is forbidden: User "system:serviceaccount:carbon:carbon" cannot {verb} '
            f'resource "{plural}" in API group "{group}"{where}'
        )
    elif code == 404:
        message = "the server could not find the requested resource"
    elif code == 429:
        message = "Too many requests, please try again later."
    elif code == 401:
        message = "Unauthorized"
    elif code >= 500:
        message = f"Internal error occurred: emulated failure for {plural}"
    else:
        message = f"emulated failure for {plural}"
    return ApiError(code, message, reason)
