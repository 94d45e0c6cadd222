"""Container image references as the container runtime reads them, and where their mirror lives.

`nginx` is `docker.io/library/nginx:latest`; a first part with a dot, a colon or `localhost` is a registry host;
a digest (`@sha256:…`) pins the manifest and wins over a tag. The mirror of an image is the same repository path
and tag (or digest) under the private registry's project: `docker.io/minio/minio:RELEASE.2024-01-16` →
`harbor.254carbon.com/dockerhub/minio/minio:RELEASE.2024-01-16`, the layout Harbor's replication and proxy-cache
projects use.
"""

from __future__ import annotations

from dataclasses import dataclass

DOCKER_HUB = "docker.io"


@dataclass(frozen=True)
class ImageRef:
    host: str
    repository: str  # the path under the host, e.g. library/nginx
    reference: str  # the tag, or the digest when pinned
    digest: bool = False

    def __str__(self) -> str:
        return f"{self.host}/{self.repository}{'@' if self.digest else ':'}{self.reference}"


def parse(image: str) -> ImageRef:
    name, at, digest = image.partition("@")
    first, sep, rest = name.partition("/")
    if sep and ("." in first or ":" in first or first == "localhost"):
        host, path = first, rest
    else:
        host, path = DOCKER_HUB, name
    repository, colon, tag = path.rpartition(":") if ":" in path.rsplit("/", 1)[-1] else (path, "", "")
    if host == DOCKER_HUB and "/" not in repository:
        repository = f"library/{repository}"
    if at:
        return ImageRef(host, repository, digest, digest=True)
    return ImageRef(host, repository, tag if colon else "latest")


def mirrored(image: str, registry: str, project: str) -> ImageRef:
    """Where `image` lives in the private registry: same path and tag under `project`."""
    source = parse(image)
    return ImageRef(registry, f"{project.strip('/')}/{source.repository}", source.reference, source.digest)


def from_registry(image: str, registry: str) -> bool:
    return parse(image).host == registry
