"""Turn a raw Slack HTTP request into a BoltRequest, working around one Bolt parsing bug.

slack_bolt 1.30's `parse_body` treats any form body that contains the substring "payload" as an
interactivity payload, so `/carbon reject r-1 bad payload` parses to `{}` and is dropped (its lazy
listeners re-parse the raw body and hit it again). For a validly signed form body without a `payload`
key we percent-encode the letters (`p%61yload`, which decodes to the same text) and re-sign with the
same secret, so Bolt's own signature check still runs on what it parses. An unsigned or badly signed
body is passed on untouched and Bolt answers 401.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import parse_qsl

from slack_bolt import BoltRequest
from slack_sdk.signature import SignatureVerifier


def bolt_request(body: str, headers: Mapping[str, str], signing_secret: str, query: str = "") -> BoltRequest:
    lowered = {k.lower(): v for k, v in headers.items()}
    verifier = SignatureVerifier(signing_secret)
    if _needs_rewrite(body, lowered) and verifier.is_valid_request(body, lowered):
        body = body.replace("payload", "p%61yload")
        timestamp = lowered.get("x-slack-request-timestamp", "")
        lowered["x-slack-signature"] = verifier.generate_signature(timestamp=timestamp, body=body) or ""
    return BoltRequest(body=body, query=query, headers=lowered)


def _needs_rewrite(body: str, headers: Mapping[str, str]) -> bool:
    if "payload" not in body or body.startswith("{") or headers.get("content-type", "").startswith("application/json"):
        return False
    return "payload" not in dict(parse_qsl(body, keep_blank_values=True))
