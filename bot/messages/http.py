"""What the HTTP front answers when it refuses a request (the body of a 4xx/5xx; Slack users never see these,
operators and scanners do)."""

from __future__ import annotations


def bad_signature() -> str:
    return "invalid or missing Slack signature"


def malformed_body() -> str:
    return "malformed request body"


def bad_length() -> str:
    return "invalid Content-Length or Transfer-Encoding"


def too_large(limit: int) -> str:
    return f"request body over {limit} bytes"


def not_this_app() -> str:
    return "request is for another Slack workspace or app"


def busy() -> str:
    return "server busy, retry later"


def not_found() -> str:
    return "not found"
