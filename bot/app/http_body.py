"""Read a request body within a cap, before anything trusts it: Content-Length or chunked, nothing else.

A length is checked before a byte is read (negative or non-numeric: 400; over the cap: 413), so an unsigned
request cannot make the server buffer more than the cap; a chunked body is counted as it arrives and cut
off at the same cap. A request with both headers is refused (the classic request-smuggling ambiguity).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import BinaryIO

from bot.messages import http as refusals

MAX_BODY = 1 << 20
MAX_LINE = 1024  # a chunk-size line or a trailer


class BodyError(Exception):
    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status, self.reason = status, reason


def read_body(headers: Mapping[str, str], stream: BinaryIO, limit: int = MAX_BODY) -> bytes:
    """Raises BodyError (400 or 413), or TimeoutError / ConnectionError from the stream."""
    encoding = (headers.get("Transfer-Encoding") or "").strip().lower()
    length = headers.get("Content-Length")
    if encoding:
        if encoding != "chunked" or length is not None:
            raise BodyError(400, refusals.bad_length())
        return _read_chunked(stream, limit)
    if length is None:
        return b""
    length = length.strip()
    if not (length.isascii() and length.isdigit()):
        raise BodyError(400, refusals.bad_length())
    if int(length) > limit:
        raise BodyError(413, refusals.too_large(limit))
    return _read_exactly(stream, int(length))


def _read_chunked(stream: BinaryIO, limit: int) -> bytes:
    parts: list[bytes] = []
    total = 0
    while True:
        size_text = _line(stream).split(b";", 1)[0].strip()
        try:
            size = int(size_text, 16) if size_text and size_text.isalnum() else -1
        except ValueError:
            size = -1
        if size < 0:
            raise BodyError(400, refusals.bad_length())
        if size == 0:
            while _line(stream):  # trailers, up to the blank line
                pass
            return b"".join(parts)
        total += size
        if total > limit:
            raise BodyError(413, refusals.too_large(limit))
        parts.append(_read_exactly(stream, size))
        if _line(stream):
            raise BodyError(400, refusals.bad_length())


def _line(stream: BinaryIO) -> bytes:
    line = stream.readline(MAX_LINE + 1)
    if len(line) > MAX_LINE or not line.endswith(b"\n"):
        raise BodyError(400, refusals.bad_length())
    return line.rstrip(b"\r\n")


def _read_exactly(stream: BinaryIO, size: int) -> bytes:
    data = stream.read(size)
    if len(data) != size:
        raise BodyError(400, refusals.bad_length())
    return data
