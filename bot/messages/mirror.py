"""What mirror_images says about the private registry: never a credential, a token or a URL's query."""

from __future__ import annotations


def registry_refused(host: str, status: int, with_credentials: bool) -> str:
    if with_credentials:
        return f"registry {host} refused the pull secret's credentials ({status})"
    return f"registry {host} needs credentials ({status}) and the workload has no pull secret for it"


def registry_answered(host: str, status: int) -> str:
    return f"registry {host} answered {status} to a manifest check"


def registry_unreachable(host: str) -> str:
    return f"registry {host} is unreachable"


def registry_realm_elsewhere(host: str) -> str:
    return f"registry {host} asked for a token from another host; Carbon sends the pull secret to {host} only"


def not_mirrored_yet(workload: str, image: str, mirror: str) -> str:
    return f"{workload}: {image} stays: the registry has no {mirror} yet (mirror it, then run again)"


def mirror_unchecked(workload: str, image: str, reason: str) -> str:
    return f"{workload}: {image} stays: {reason}"
