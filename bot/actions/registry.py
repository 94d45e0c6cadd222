"""Does the private registry already hold a tag? A manifest HEAD on the Docker Registry HTTP API v2.

`HEAD /v2/<repository>/manifests/<tag or digest>`: 200 is yes, 404 is no. A 401 carries the registry's challenge:
`Basic` is answered with the pull secret's username and password; `Bearer` (Harbor, distribution with token auth)
by fetching a pull-scoped token from the challenge's realm with those credentials, then asking again with it. The
realm must be on the registry's own host, so the credentials go nowhere else. Plain HTTP (urllib), bounded by a
timeout; failures are `Unavailable` with a reason naming the registry host and the HTTP status, never a
credential, a token or a URL's query.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import Any

from bot import messages
from bot.errors import Unavailable

MANIFEST_TYPES = ", ".join((
    "application/vnd.oci.image.index.v1+json", "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.docker.distribution.manifest.v2+json",
))
CHALLENGE_PARAM = re.compile(r'(\w+)="([^"]*)"')


@dataclass(frozen=True)
class Credentials:
    username: str
    password: str = field(repr=False)

    def basic(self) -> str:
        return "Basic " + base64.b64encode(f"{self.username}:{self.password}".encode()).decode()


def credentials_for(secret: dict[str, Any], host: str) -> Credentials | None:
    """The `kubernetes.io/dockerconfigjson` Secret's entry for `host` (scheme and path ignored), if it has one."""
    try:
        config = json.loads(base64.b64decode((secret.get("data") or {}).get(".dockerconfigjson", "")))
    except (ValueError, binascii.Error):
        return None
    for key, entry in ((config or {}).get("auths") or {}).items():
        if key.split("://", 1)[-1].split("/", 1)[0] != host or not isinstance(entry, dict):
            continue
        if entry.get("username") is not None:
            return Credentials(str(entry["username"]), str(entry.get("password", "")))
        try:
            user, _, password = base64.b64decode(entry.get("auth", "")).decode().partition(":")
        except (ValueError, binascii.Error):
            return None
        return Credentials(user, password)
    return None


class RegistryClient:
    def __init__(self, base_url: str, credentials: Credentials | None, timeout_s: float = 10.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.host = urllib.parse.urlsplit(self.base_url).netloc
        self.credentials = credentials
        self.timeout_s = timeout_s

    def has(self, repository: str, reference: str) -> bool:
        """Whether the registry holds that manifest (tag or digest)."""
        url = f"{self.base_url}/v2/{repository}/manifests/{urllib.parse.quote(reference, safe=':')}"
        status, challenge = self._head(url, None)
        if status == 401 and self.credentials is not None:
            status, _ = self._head(url, self._answer(challenge, repository))
        if status == 200:
            return True
        if status == 404:
            return False
        if status in (401, 403):
            raise Unavailable(messages.registry_refused(self.host, status, self.credentials is not None))
        raise Unavailable(messages.registry_answered(self.host, status))

    def _head(self, url: str, authorization: str | None) -> tuple[int, str]:
        request = urllib.request.Request(url, method="HEAD", headers={"Accept": MANIFEST_TYPES})
        if authorization:
            request.add_header("Authorization", authorization)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as response:
                return response.status, ""
        except urllib.error.HTTPError as exc:
            return exc.code, exc.headers.get("WWW-Authenticate", "") if exc.headers else ""
        except (urllib.error.URLError, TimeoutError, OSError):
            raise Unavailable(messages.registry_unreachable(self.host)) from None

    def _answer(self, challenge: str, repository: str) -> str | None:
        """The Authorization header that answers the registry's challenge with the pull secret's credentials."""
        scheme = challenge.split(" ", 1)[0].lower()
        assert self.credentials is not None
        if scheme == "basic":
            return self.credentials.basic()
        if scheme != "bearer":
            raise Unavailable(messages.registry_answered(self.host, 401))
        params = dict(CHALLENGE_PARAM.findall(challenge))
        realm = urllib.parse.urlsplit(params.get("realm", ""))
        if realm.scheme not in ("http", "https") or realm.netloc != self.host:
            raise Unavailable(messages.registry_realm_elsewhere(self.host))
        query = urllib.parse.urlencode({"service": params.get("service", ""),
                                        "scope": params.get("scope") or f"repository:{repository}:pull"})
        request = urllib.request.Request(f"{params['realm']}?{query}",
                                         headers={"Authorization": self.credentials.basic()})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as response:
                answer = json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as exc:
            raise Unavailable(messages.registry_refused(self.host, exc.code, True)) from None
        except (urllib.error.URLError, TimeoutError, OSError, ValueError):
            raise Unavailable(messages.registry_unreachable(self.host)) from None
        token = answer.get("token") or answer.get("access_token") if isinstance(answer, dict) else None
        return f"Bearer {token}" if token else None
