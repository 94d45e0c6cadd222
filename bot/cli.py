"""The `carbon` command line (CONTRACT.md): serve, console, status, check, chart; no subcommand picks for you.

Startup problems are one line on stderr and a non-zero exit, never a traceback: the operator should see
which variable to fix.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.app.console import run_console
from bot.app.serve import serve
from bot.app.terminal import check, terminal_chart, terminal_status
from bot.errors import StartupError
from bot.plan.loader import PlanError
from bot.settings import Settings, SettingsError, load_settings

EXIT_CONFIG = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="carbon", description="Carbon: production readiness, measured, in Slack.")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("serve", help="run the bot (Socket Mode with SLACK_APP_TOKEN, else HTTP on CARBON_HTTP_PORT)")
    console = sub.add_parser("console", help="a local text backend: type /carbon lines, see what the bot posts")
    console.add_argument("--demo", action="store_true", help="boot the embedded 254Carbon demo platform")
    status = sub.add_parser("status", help="print the readiness dashboard in the terminal")
    status.add_argument("phase", nargs="?", help="a phase id, to show its tasks with evidence")
    sub.add_parser("check", help="validate settings and plan, probe Slack, cluster and Vault")
    chart = sub.add_parser("chart", help="write the digest's burn-up chart (PNG) from the store and the plan")
    chart.add_argument("--out", required=True, type=Path, metavar="FILE", help="where to write the PNG")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = load_settings()
        command = args.command or ("serve" if settings.slack_bot_token else "console")
        if command == "serve":
            return serve(settings)
        if command == "console":
            return run_console(settings, demo=bool(getattr(args, "demo", False)) or args.command is None)
        if command == "status":
            return terminal_status(settings, args.phase)
        if command == "chart":
            return terminal_chart(settings, args.out)
        return check(settings)
    except SettingsError as exc:
        return _fail(f"carbon: {exc}")
    except PlanError as exc:
        return _fail(f"carbon: plan {exc.source}: " + "; ".join(exc.problems))
    except StartupError as exc:
        return _fail(f"carbon: {exc}")
    except KeyboardInterrupt:
        return 130


def _fail(line: str) -> int:
    print(line, file=sys.stderr)
    return EXIT_CONFIG


__all__ = ["Settings", "main"]
