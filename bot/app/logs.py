"""Structured logs: JSON lines when not on a terminal (the cluster's log pipeline), readable on one.

Bolt's and the clients' own loggers go through the same handler at WARNING, so their debug output
(which can echo request bodies) never reaches the log.
"""

from __future__ import annotations

import logging
import sys

import structlog


def configure(json_logs: bool | None = None, level: int = logging.INFO) -> None:
    json_logs = (not sys.stderr.isatty()) if json_logs is None else json_logs
    renderer = structlog.processors.JSONRenderer() if json_logs else structlog.dev.ConsoleRenderer(colors=False)
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=structlog.PrintLoggerFactory(_CurrentStderr()),  # type: ignore[arg-type]
        cache_logger_on_first_use=False,
    )
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")
    for name in ("slack_bolt", "slack_sdk", "urllib3", "kubernetes", "hvac", "apscheduler", "carbon.bolt"):
        logging.getLogger(name).setLevel(logging.WARNING)


class _CurrentStderr:
    """Whatever sys.stderr is at write time (a test's capture, a redirected stream), not at configure time."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()
