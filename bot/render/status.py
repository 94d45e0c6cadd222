"""Block Kit for the readiness dashboard: status, a phase's evidence, the tasks list and help.

Pure functions from view data to blocks, so every message is testable offline; Slack's limits are kept
by the primitives in `bot.render.blocks`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.checks.base import CheckResult, State
from bot.messages import attested_summary, when
from bot.progress.measure import PhaseProgress, PlanProgress, TaskProgress
from bot.render.blocks import (
    LIST_BUDGET,
    MAX_BLOCKS,
    Block,
    bar,
    clip_lines,
    context,
    escape,
    fit_lines,
    header,
    mention,
    percent,
    section,
)

STATE_ICON = {
    State.DONE: ":white_check_mark:",
    State.PARTIAL: ":large_yellow_circle:",
    State.FAILING: ":red_circle:",
    State.UNKNOWN: ":grey_question:",
    State.PENDING: ":raised_hand:",
    State.ATTESTED: ":memo:",
}


def summary_text(result: CheckResult) -> str:
    """A check's summary as mrkdwn: data escaped; an attestation names its attester with a real mention."""
    by = result.detail.get("attested_by") if result.state == State.ATTESTED else None
    if by:
        return attested_summary(mention(str(by)), escape(result.detail.get("day", "")), escape(result.detail.get("note") or ""))
    return escape(result.summary)


def _measured_line(view: PlanProgress) -> str:
    sources = " · ".join(f"{escape(name)} {escape(where)}" for name, where in view.sources.items()) or "no sources configured"
    return f"Measured {when(view.taken_at)} from {sources}"


def change(delta: float | None) -> str:
    """'▲ +25%' or '▼ \u221210%' (a real minus sign) for a change of a fraction; '' when it rounds to none."""
    points = round((delta or 0.0) * 100)
    return f"▲ +{points}%" if points > 0 else f"▼ −{-points}%" if points < 0 else ""


def phase_line(phase: PhaseProgress, delta: float | None = None) -> str:
    extras = [f"{phase.done}/{len(phase.tasks)} tasks done"]
    if phase.unknown:
        extras.append(f"{phase.unknown} unknown")
    attested = sum(t.result.state == State.ATTESTED for t in phase.tasks)
    if attested:
        extras.append(f"{attested} attested")
    moved = f" {change(delta)}" if change(delta) else ""
    return (f"*{escape(phase.phase.id.upper())} · {escape(phase.phase.title)}*\n"
            f"`{bar(phase.fraction)}` *{percent(phase.fraction)}*{moved}  ·  {' · '.join(extras)}")


def render_status(view: PlanProgress, open_risks: int | None = None,
                  changes: dict[str, float] | None = None, since: str = "") -> list[Block]:
    """`changes`: phase id -> change of its fraction `since` (e.g. "since the last digest")."""
    changes = changes or {}
    blocks: list[Block] = [header(f"{view.plan_name}: {percent(view.fraction)} measured")]
    blocks += [section(phase_line(phase, changes.get(phase.phase.id))) for phase in view.phases]
    risks = "open risks: not scanned yet" if open_risks is None else f"open risks: {open_risks}"
    notes = [_measured_line(view), risks]
    if since and any(change(delta) for delta in changes.values()):
        notes.append(f"▲/▼ {since}")
    blocks.append(context(*notes, "`/carbon status &lt;phase&gt;` for a phase's evidence"))
    return blocks[:MAX_BLOCKS]


def task_block(item: TaskProgress, evidence_limit: int = 6) -> Block:
    result = item.result
    lines = [f"{STATE_ICON[result.state]} *{escape(item.task.title)}* (`{escape(item.task.id)}`) · {percent(result.fraction)}",
             summary_text(result)]
    lines += [f"• {line}" for line in clip_lines([escape(e) for e in result.evidence], evidence_limit, LIST_BUDGET)]
    return section("\n".join(lines))


def render_phase(view: PlanProgress, phase: PhaseProgress) -> list[Block]:
    blocks: list[Block] = [header(f"{phase.phase.id.upper()} · {phase.phase.title}: {percent(phase.fraction)}")]
    blocks += [task_block(item) for item in phase.tasks][: MAX_BLOCKS - 2]
    kinds = ", ".join(sorted({escape(t.task.check.kind) for t in phase.tasks}))
    blocks.append(context(_measured_line(view), f"check kinds: {kinds}"))
    return blocks


def render_tasks(view: PlanProgress, phases: Sequence[PhaseProgress], runnable: set[str],
                 changed: dict[str, datetime] | None = None) -> list[Block]:
    """`changed`: task id -> when it entered its current state (from the task history)."""
    changed = changed or {}
    blocks: list[Block] = [header("Tasks")]
    for phase in phases:
        lines = [f"*{escape(phase.phase.id.upper())} · {escape(phase.phase.title)}*"]
        for item in phase.tasks:
            run = "  ·  :arrow_forward: `/carbon run " + escape(item.task.id) + "`" if item.task.id in runnable else ""
            since = changed.get(item.task.id)
            entered = f" · {item.result.state.value} since {when(since, view.taken_at.tzinfo, time=False)}" if since else ""
            lines.append(f"{STATE_ICON[item.result.state]} `{escape(item.task.id)}` {escape(item.task.title)} · "
                         f"{percent(item.result.fraction)} · {summary_text(item.result)}{entered}{run}")
        blocks.append(section(fit_lines(lines[0], lines[1:], 60)))
    blocks.append(context(_measured_line(view)))
    return blocks[:MAX_BLOCKS]


def render_help(entries: Sequence[tuple[str, str, Sequence[str]]]) -> list[Block]:
    """entries: (usage, what it does, examples) per subcommand."""
    blocks: list[Block] = [header("Carbon: production readiness, measured")]
    for usage, summary, examples in entries:
        example = "  e.g. " + ", ".join(f"`{escape(e)}`" for e in examples) if examples else ""
        blocks.append(section(f"`/carbon {escape(usage)}`\n{escape(summary)}{example}"))
    return blocks[:MAX_BLOCKS]
