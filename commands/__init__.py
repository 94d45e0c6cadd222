"""The `/carbon` slash command: one listener, a table of subcommands, dispatch on the first word.

The ack parses (no I/O) and answers bad input at once; the work runs after the ack (handed to the services'
pool) and answers through `response_url`, so Slack's 3 seconds hold whatever the cluster does.
"""

from __future__ import annotations

import difflib
import shlex
from collections.abc import Mapping
from typing import Any

import structlog
from slack_bolt import Ack, App, Respond

from bot import messages
from bot.errors import UserError
from bot.services import Services
from commands import approve, attest, digest, risks, rollback, run, runs, status, tasks
from commands import help as help_command
from commands.base import Command, Context, Reply
from commands.failures import answer_failure
from commands.request_log import log_request

log = structlog.get_logger(__name__)


def default_commands() -> dict[str, Command]:
    table = {c.name: c for c in (status.COMMAND, tasks.COMMAND, run.COMMAND, approve.APPROVE, approve.REJECT,
                                 runs.COMMAND, rollback.COMMAND, attest.COMMAND, digest.COMMAND, risks.COMMAND)}
    return {"help": help_command.build(table), **table}


def split(text: str) -> list[str]:
    """Words, honouring quotes; an unpaired quote (`don't`) is just a character, as a person meant it."""
    try:
        return shlex.split(text.replace("\u201c", '"').replace("\u201d", '"'))
    except ValueError:
        return text.split()


class Dispatcher:
    def __init__(self, services: Services, commands: Mapping[str, Command]) -> None:
        self.services = services
        self.commands = dict(commands)

    def parse(self, text: str) -> tuple[Command, Any]:
        words = split(text or "")
        name = words[0].lower() if words else "help"
        command = self.commands.get(name)
        if command is None:
            close = difflib.get_close_matches(name, list(self.commands), n=1, cutoff=0.6)
            raise UserError(messages.unknown_subcommand(name, close))
        return command, command.parse(self.services, words[1:])

    def ack(self, body: dict[str, Any], ack: Ack, respond: Respond) -> None:
        """Answer at once and hand the work to the services' pool. Not a Bolt lazy listener: that copies the whole
        request and starts a thread before the ack goes out (~1 ms of the GIL per request, which 20 concurrent
        acks pay one after another; bench/ack.py)."""
        try:
            command, args = self.parse(body.get("text", ""))
        except Exception as exc:
            ack(text=self._failed(body, _first_word(body), exc), response_type="ephemeral")
            return
        if command.quick is not None:
            reply = command.quick(self.services, args)
            self._done(body, command.name, "ok")
            ack(blocks=reply.blocks, text=reply.text, response_type="ephemeral")
            return
        if command.ack_text:
            ack(text=command.ack_text, response_type="ephemeral")
        else:
            ack()
        self.services.workers.submit(self._work, body, respond)

    def _work(self, body: dict[str, Any], respond: Respond) -> None:
        try:
            command, args = self.parse(body.get("text", ""))
        except Exception:
            return  # already answered in the ack
        if command.quick is not None:
            return
        user_id, channel_id = body.get("user_id", ""), body.get("channel_id", "")
        self.services.store.audit(user_id, "command", command.name, {"channel": channel_id})
        try:
            _keep_pace(self.services, user_id, command.name)
            reply = command.handle(Context(self.services, user_id, channel_id), args)
        except Exception as exc:
            respond(text=self._failed(body, command.name, exc), response_type="ephemeral", replace_original=False)
            return
        _respond(respond, reply)
        self._done(body, command.name, "ok")

    def _failed(self, body: dict[str, Any], subcommand: str, exc: Exception) -> str:
        return answer_failure(exc, lambda outcome, **extra: self._done(body, subcommand, outcome, **extra))

    def _done(self, body: dict[str, Any], subcommand: str, outcome: str, **extra: Any) -> None:
        """The one log line and metric per request: who, which subcommand, how it ended (never the text)."""
        known = subcommand if subcommand in self.commands else "unknown"
        self.services.metrics.commands.labels(known, outcome).inc()
        log_request("slash_command", body, body.get("user_id", ""), known, outcome, **extra)


def _keep_pace(services: Services, user_id: str, name: str) -> None:
    """A user past the limit of a subcommand (`bot.services.pace`) is told to slow down; nothing runs."""
    wait = services.pace.wait_s(user_id, name, services.clock())
    if wait:
        limit = services.pace.limits[name]
        raise UserError(messages.slow_down(name, limit.count, limit.window_s, wait))


def _first_word(body: dict[str, Any]) -> str:
    words = str(body.get("text") or "").split()
    return words[0].lower() if words else "help"


def _respond(respond: Respond, reply: Reply) -> None:
    respond(blocks=reply.blocks, text=reply.text, replace_original=False,
            response_type="in_channel" if reply.in_channel else "ephemeral")


def register(app: App, services: Services, commands: Mapping[str, Command] | None = None) -> Dispatcher:
    dispatcher = Dispatcher(services, commands or default_commands())
    app.command("/carbon")(dispatcher.ack)
    return dispatcher

