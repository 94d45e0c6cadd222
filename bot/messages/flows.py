"""Network flows in words: what a change allows or blocks, why a network-policy plan is refused, and the
plan-file error for the removed `dns_egress` switch."""

from __future__ import annotations


def _policies(names: tuple[str, ...] | list[str]) -> str:
    return ", ".join(names) if names else "no policy"


def flow_allowed(name: str, description: str, admitted_by: tuple[str, ...]) -> str:
    """e.g. `allowed: ingress-nginx → data-platform/portal:8080 (data-platform/allow-from-ingress)`."""
    by = f" ({_policies(admitted_by)})" if admitted_by else " (no policy isolates it)"
    return f"allowed: {name}: {description}{by}"


def flow_blocked(name: str, description: str, blocks: tuple[str, ...], blocked_by: tuple[str, ...]) -> str:
    return f"blocked: {name}: {description} ({'; '.join(blocks)}; isolated by {_policies(blocked_by)})"


def flow_unresolved(name: str, description: str) -> str:
    return f"not evaluated: {name}: {description} (no namespace matches an endpoint)"


def inferred_flow_blocked(line: str, seen_in: str) -> str:
    return f"inferred flow would be {line}; Carbon inferred it from {seen_in}: declare it under `flows` and allow it"


def declared_flows_blocked(lines: list[str]) -> str:
    """The dry run's refusal: the planned policies would cut traffic the plan says the platform needs."""
    listed = "\n".join(f"• {line}" for line in lines)
    return (f"Refusing to plan: the policies would block {len(lines)} declared flow(s):\n{listed}\n"
            "Add an allow rule that admits each (under `allow` for ingress, `egress.allow` for egress), "
            "remove an isolating policy the plan does not manage, or correct the flow under `flows`.")


def declared_flows_blocked_live(lines: list[str]) -> list[str]:
    """Verification problems: declared flows the live policies block."""
    return [f"declared flow {line}" for line in lines]


def blocked_flows_summary(blocked: int, total: int) -> str:
    return f"{blocked}/{total} declared flows blocked"


def dns_egress_removed() -> str:
    return ("`dns_egress` is no longer accepted: alone it isolated egress to DNS and cut every other connection. "
            "Use `egress: {isolate: true, allow: [...]}`; the egress of declared `flows` and DNS are then "
            "allowed for you (or drop the key: no egress policy is created)")


def egress_needs_allow(namespaces: list[str]) -> str:
    return (f"egress.isolate would leave {', '.join(namespaces)} able to reach only DNS: give egress.allow rules "
            "or declared flows from there")
