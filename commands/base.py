"""What a subcommand is: a parser (fast, no I/O: it may read the plan, runs before the ack) and a handler
(runs after the ack)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from bot import messages
from bot.errors import UserError
from bot.render.blocks import Block, fallback_text
from bot.services import Services


@dataclass(frozen=True)
class Reply:
    blocks: list[Block]
    text: str = ""
    in_channel: bool = False

    @classmethod
    def of(cls, blocks: list[Block], in_channel: bool = False) -> Reply:
        return cls(blocks, fallback_text(blocks), in_channel)

    @classmethod
    def note(cls, text: str) -> Reply:
        return cls([{"type": "section", "text": {"type": "mrkdwn", "text": text}}], text)


@dataclass(frozen=True)
class Context:
    services: Services
    user_id: str
    channel_id: str


@dataclass(frozen=True)
class Command:
    name: str
    usage: str
    help: str
    handle: Callable[[Context, Any], Reply]
    parse: Callable[[Services, Sequence[str]], Any] = lambda services, args: None
    examples: tuple[str, ...] = ()
    ack_text: str | None = None
    quick: Callable[[Services, Any], Reply] | None = None  # answered in the ack itself: no I/O allowed

    def usage_error(self, problem: str) -> UserError:
        return UserError(messages.usage_error(problem, f"/carbon {self.usage}"))


def doc_summary(doc: str | None) -> str:
    """A command module's docstring is its help text; the first paragraph is the summary."""
    return " ".join((doc or "").strip().split("\n\n")[0].split())


def at_most(command: Command, args: Sequence[str], count: int) -> None:
    if len(args) > count:
        extra = " ".join(args[count:])
        raise command.usage_error(messages.unexpected_words(extra))


def optional_phase(command: Command, services: Services, args: Sequence[str]) -> str | None:
    """The `[phase]` argument of status and tasks: absent, or a phase id the plan has."""
    at_most(command, args, 1)
    phase_id = args[0].lower() if args else None
    if phase_id is not None and services.plan.phase(phase_id) is None:
        raise UserError(messages.unknown_phase(phase_id, [p.id for p in services.plan.phases]))
    return phase_id
