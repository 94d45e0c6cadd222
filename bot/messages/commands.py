"""Answers about the command line itself (an unknown subcommand, phase or task, a usage error) and the acks
shown while a command works."""

from __future__ import annotations

from collections.abc import Sequence


def unknown_subcommand(word: str, close: Sequence[str]) -> str:
    hint = f" Did you mean `{close[0]}`?" if close else ""
    return f"`{word}` is not a Carbon command.{hint} Try `/carbon help` for the list."


def usage_error(problem: str, usage: str) -> str:
    return f"{problem}\nUsage: `{usage}`"


def unknown_phase(phase_id: str, known: Sequence[str]) -> str:
    return f"There is no phase `{phase_id}` in the plan. Phases: {', '.join(f'`{p}`' for p in known)}."


def unknown_task(task_id: str, close: Sequence[str]) -> str:
    hint = f" Did you mean `{close[0]}`?" if close else " `/carbon tasks` lists them."
    return f"There is no task `{task_id}` in the plan.{hint}"


def working() -> str:
    return "Measuring the cluster…"


def digesting() -> str:
    return "Building the digest…"


def scanning_risks() -> str:
    return "Scanning for risks…"


def which_task() -> str:
    return "Which task? Give its id."


def which_run() -> str:
    return "Which run? Give its id (`/carbon runs` lists them)."


def unexpected_words(extra: str) -> str:
    return f"Unexpected `{extra}`."


def takes_no_note(flag: str) -> str:
    return f"`{flag}` takes no note."


def computing_plan() -> str:
    return "Computing the plan (dry run)…"


def recording_approval() -> str:
    return "Recording your approval…"


def recording_rejection() -> str:
    return "Recording your rejection…"


def rolling_back() -> str:
    return "Rolling back…"
