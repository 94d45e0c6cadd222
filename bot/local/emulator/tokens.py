"""TokenRequest and TokenReview: ServiceAccount tokens the emulator issues and can vouch for.

A real OpenBao's Kubernetes auth method, pointed at the emulator (`kubernetes_host`), parses the
JWT's claims, then POSTs a TokenReview with it; the emulator answers authenticated for tokens it
issued that are unexpired, whose ServiceAccount still exists with the same uid, and whose audience
matches, just as kube-apiserver does. Tokens carry the claims of a projected ServiceAccount token.
"""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime
from typing import Any

from bot.local.emulator import signing
from bot.local.emulator.errors import ApiError, invalid, not_found
from bot.local.emulator.resources import ResourceRegistry
from bot.local.emulator.store import ObjectStore

Obj = dict[str, Any]
ISSUER = AUDIENCE = "https://kubernetes.default.svc.cluster.local"
GROUP_VERSION = "authentication.k8s.io/v1"


def _rfc3339(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class TokenAuthority:
    def __init__(self, store: ObjectStore, registry: ResourceRegistry) -> None:
        self.store, self.registry = store, registry

    @property
    def key(self) -> signing.RsaKey:
        """Made on first use: key generation takes a moment and most emulators never issue a token."""
        return signing.process_key()

    def request(self, namespace: str, name: str, body: Any) -> Obj:
        """POST .../serviceaccounts/{name}/token: a signed token for the account."""
        rt = self.registry.resolve("serviceaccounts")
        account = self.store.get(rt, namespace, name)
        if account is None:
            raise not_found(rt, name)
        spec = dict((body or {}).get("spec") or {}) if isinstance(body, dict) else {}
        seconds = int(spec.get("expirationSeconds") or 3600)
        if seconds < 600:
            raise invalid(rt, name, "spec.expirationSeconds", "Invalid value: may not specify a duration less than 10 minutes")
        audiences = list(spec.get("audiences") or [AUDIENCE])
        now = int(time.time())
        claims = {"aud": audiences, "exp": now + seconds, "iat": now, "nbf": now, "iss": ISSUER, "jti": str(uuid.uuid4()),
                  "kubernetes.io": {"namespace": namespace,
                                    "serviceaccount": {"name": name, "uid": account["metadata"]["uid"]}},
                  "sub": f"system:serviceaccount:{namespace}:{name}"}
        spec.update(audiences=audiences, expirationSeconds=seconds)
        return {"kind": "TokenRequest", "apiVersion": GROUP_VERSION,
                "metadata": {"name": name, "namespace": namespace, "creationTimestamp": None}, "spec": spec,
                "status": {"token": signing.encode(claims, self.key), "expirationTimestamp": _rfc3339(now + seconds)}}

    def review(self, body: Any) -> Obj:
        """POST /apis/authentication.k8s.io/v1/tokenreviews: who the token is, if the emulator issued it."""
        spec = (body or {}).get("spec") if isinstance(body, dict) else None
        if not isinstance(spec, dict) or not spec.get("token"):
            raise ApiError(422, 'TokenReview.authentication.k8s.io "" is invalid: spec.token: Required value')
        wanted = list(spec.get("audiences") or [AUDIENCE])
        status = self._status(str(spec["token"]), wanted)
        return {"kind": "TokenReview", "apiVersion": GROUP_VERSION, "metadata": {"creationTimestamp": None},
                "spec": spec, "status": status}

    def _status(self, token: str, wanted: list[str]) -> Obj:
        claims = signing.decode(token, self.key)
        if claims is None:
            return {"user": {}, "error": "[invalid bearer token, square/go-jose: error in cryptographic primitive]"}
        if int(claims.get("exp", 0)) <= time.time():
            return {"user": {}, "error": "[invalid bearer token, service account token has expired]"}
        audiences = [a for a in claims.get("aud") or [] if a in wanted]
        if not audiences:
            return {"user": {}, "error": f"[invalid bearer token, token audiences {claims.get('aud')} is invalid "
                                         f"for the target audiences {wanted}]"}
        ref = claims.get("kubernetes.io") or {}
        namespace, account = ref.get("namespace", ""), (ref.get("serviceaccount") or {})
        stored = self.store.get(self.registry.resolve("serviceaccounts"), namespace, account.get("name", ""))
        if stored is None or stored["metadata"]["uid"] != account.get("uid"):
            return {"user": {}, "error": "[invalid bearer token, service account token has been invalidated]"}
        return {"authenticated": True, "audiences": audiences,
                "user": {"username": f"system:serviceaccount:{namespace}:{account['name']}", "uid": account["uid"],
                         "groups": ["system:serviceaccounts", f"system:serviceaccounts:{namespace}",
                                    "system:authenticated"],
                         "extra": {"authentication.kubernetes.io/credential-id": [f"JTI={claims.get('jti')}"]}}}
