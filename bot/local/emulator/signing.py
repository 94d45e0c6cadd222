"""RS256 JWTs from the standard library: the emulator's ServiceAccount token signer.

OpenBao's Kubernetes auth only accepts tokens whose `alg` is RS*/ES* (it parses the JWT before it
asks TokenReview), and the project has no crypto dependency, so the emulator carries a small
textbook RSA signer (PKCS#1 v1.5, SHA-256) with a key made once per process. It signs and verifies
its own tokens; it is not meant to protect anything.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
from dataclasses import dataclass
from typing import Any

_SHA256_DIGEST_INFO = bytes.fromhex("3031300d060960864801650304020105000420")
_E = 65537
_lock = threading.Lock()
_key: RsaKey | None = None


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _probably_prime(n: int, rounds: int = 24) -> bool:
    if n < 2:
        return False
    for p in (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37):
        if n % p == 0:
            return n == p
    d, r = n - 1, 0
    while d % 2 == 0:
        d, r = d // 2, r + 1
    for _ in range(rounds):
        x = pow(secrets.randbelow(n - 3) + 2, d, n)
        if x in (1, n - 1):
            continue
        for _ in range(r - 1):
            x = pow(x, 2, n)
            if x == n - 1:
                break
        else:
            return False
    return True


def _prime(bits: int) -> int:
    while True:
        candidate = secrets.randbits(bits) | (1 << (bits - 1)) | (1 << (bits - 2)) | 1
        if (candidate - 1) % _E and _probably_prime(candidate):
            return candidate


@dataclass(frozen=True)
class RsaKey:
    n: int
    d: int
    kid: str

    @property
    def size(self) -> int:
        return (self.n.bit_length() + 7) // 8

    def _encoded(self, payload: bytes) -> int:
        digest = _SHA256_DIGEST_INFO + hashlib.sha256(payload).digest()
        padded = b"\x00\x01" + b"\xff" * (self.size - len(digest) - 3) + b"\x00" + digest
        return int.from_bytes(padded, "big")

    def sign(self, payload: bytes) -> bytes:
        return pow(self._encoded(payload), self.d, self.n).to_bytes(self.size, "big")

    def verify(self, payload: bytes, signature: bytes) -> bool:
        return pow(int.from_bytes(signature, "big"), _E, self.n) == self._encoded(payload)


def process_key(bits: int = 2048) -> RsaKey:
    """The signing key, generated on first use and shared by every emulator in the process."""
    global _key
    with _lock:
        if _key is None:
            p, q = _prime(bits // 2), _prime(bits // 2)
            n = p * q
            _key = RsaKey(n, pow(_E, -1, (p - 1) * (q - 1)), hashlib.sha256(str(n).encode()).hexdigest()[:16])
        return _key


def encode(claims: dict[str, Any], key: RsaKey) -> str:
    header = _b64(json.dumps({"alg": "RS256", "kid": key.kid}, separators=(",", ":")).encode())
    body = _b64(json.dumps(claims, separators=(",", ":")).encode())
    return f"{header}.{body}.{_b64(key.sign(f'{header}.{body}'.encode()))}"


def decode(token: str, key: RsaKey) -> dict[str, Any] | None:
    """The claims of a token this key signed, else None (bad shape or signature)."""
    try:
        header, body, signature = token.split(".")
        if not key.verify(f"{header}.{body}".encode(), _unb64(signature)):
            return None
        claims = json.loads(_unb64(body))
    except (ValueError, TypeError):
        return None
    return claims if isinstance(claims, dict) else None
