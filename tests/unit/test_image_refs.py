"""Image references read as the container runtime reads them, their mirrors, and pull-secret credentials."""

from __future__ import annotations

import base64
import json

import pytest

from bot.actions.image_refs import mirrored, parse
from bot.actions.registry import credentials_for


@pytest.mark.parametrize(("image", "host", "repository", "reference"), [
    ("nginx", "docker.io", "library/nginx", "latest"),
    ("nginx:1.25", "docker.io", "library/nginx", "1.25"),
    ("grafana/grafana:10.2.3", "docker.io", "grafana/grafana", "10.2.3"),
    ("docker.io/minio/minio:RELEASE.2024-01-16", "docker.io", "minio/minio", "RELEASE.2024-01-16"),
    ("localhost:5000/a/b", "localhost:5000", "a/b", "latest"),
    ("127.0.0.1:5000/x/y:2", "127.0.0.1:5000", "x/y", "2"),
    ("quay.io/p/q:v1@sha256:abc", "quay.io", "p/q", "sha256:abc"),
])
def test_references_are_normalised_as_the_runtime_does(image: str, host: str, repository: str, reference: str) -> None:
    ref = parse(image)
    assert (ref.host, ref.repository, ref.reference) == (host, repository, reference)


def test_a_mirror_keeps_the_path_and_tag_or_digest_under_the_project() -> None:
    assert str(mirrored("redis:7", "harbor.example.com", "dockerhub")) == "harbor.example.com/dockerhub/library/redis:7"
    assert str(mirrored("quay.io/p/q@sha256:abc", "h.io", "mirror")) == "h.io/mirror/p/q@sha256:abc"


def secret(auths: dict[str, object]) -> dict[str, object]:
    return {"data": {".dockerconfigjson": base64.b64encode(json.dumps({"auths": auths}).encode()).decode()}}


def test_credentials_come_from_the_entry_for_that_host_whatever_its_scheme() -> None:
    auth = base64.b64encode(b"robot:pw:with:colons").decode()
    found = credentials_for(secret({"https://harbor.example.com/v2/": {"auth": auth}}), "harbor.example.com")
    assert found is not None and (found.username, found.password) == ("robot", "pw:with:colons")
    assert "pw:with:colons" not in repr(found)
    plain = credentials_for(secret({"harbor.example.com": {"username": "u", "password": "p"}}), "harbor.example.com")
    assert plain is not None and (plain.username, plain.password) == ("u", "p")
    assert credentials_for(secret({"other.example.com": {"auth": auth}}), "harbor.example.com") is None
    assert credentials_for({"data": {".dockerconfigjson": "not base64!"}}, "harbor.example.com") is None
