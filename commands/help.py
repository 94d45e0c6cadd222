"""Show every subcommand with what it does and an example."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.render.status import render_help
from bot.services import Services
from commands.base import Command, Context, Reply, at_most, doc_summary


def build(commands: dict[str, Command]) -> Command:
    """Help needs the final table, so it is built last with it."""

    def reply(services: Services | None = None, args: Any = None) -> Reply:
        entries = [(c.usage, c.help, c.examples) for c in commands.values()]
        return Reply.of(render_help(entries))

    def parse(services: Services, args: Sequence[str]) -> None:
        at_most(command, args, 1)

    def handle(ctx: Context, args: Any) -> Reply:
        return reply()

    command = Command("help", "help", doc_summary(__doc__), handle, parse, ("/carbon help",), quick=reply)
    return command
