"""Block Kit for runs: the approval request (updated in place as the run moves) and the runs list.

Pure functions. The pending request's actions block carries exactly two buttons, `carbon.approve` and
`carbon.reject` (value = run id); a failed or interrupted run whose action can be undone carries
`carbon.rollback`. The plan section carries its own `carbon.view_plan` button (a section accessory, value =
run id) that opens the full plan in a modal, in every state.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, tzinfo

from bot import messages
from bot.ports import RunInfo
from bot.render.blocks import (
    LIST_BUDGET,
    Block,
    button,
    clip_lines,
    context,
    escape,
    fit_lines,
    header,
    mention,
    section,
)
from bot.render.plan import request_impact, request_lines, summary
from bot.runs.model import Run, RunState

STATE_LABEL = {
    RunState.REQUESTED: ":hourglass_flowing_sand: pending approval",
    RunState.APPROVED: ":ballot_box_with_check: approved",
    RunState.RUNNING: ":gear: running",
    RunState.SUCCEEDED: ":white_check_mark: succeeded",
    RunState.FAILED: ":x: failed",
    RunState.INTERRUPTED: ":warning: interrupted",
    RunState.ROLLING_BACK: ":leftwards_arrow_with_hook: rolling back",
    RunState.ROLLED_BACK: ":leftwards_arrow_with_hook: rolled back",
    RunState.REJECTED: ":no_entry_sign: rejected",
    RunState.EXPIRED: ":alarm_clock: expired",
}
ROLLBACK_FROM = frozenset({RunState.FAILED, RunState.INTERRUPTED})
VIEW_PLAN = "carbon.view_plan"


@dataclass(frozen=True)
class RunView:
    run: Run
    task_title: str
    decisions: Sequence[dict[str, str]]
    can_roll_back: bool
    zone: tzinfo = UTC
    approvers: Sequence[str] = ()  # who is asked to approve: user (U…) and user group (S…) ids


def render_run(view: RunView) -> list[Block]:
    run = view.run
    changes = run.plan.get("changes") or []
    blocks: list[Block] = [
        header(f"Run {run.id}: {view.task_title}"),
        section(f"*{STATE_LABEL[run.state]}*  ·  task `{escape(run.task_id)}`  ·  action `{escape(run.action)}`  ·  "
                f"requested by {mention(run.requester)}"),
        plan_section(run.id, changes, run.plan_hash),
    ]
    if run.plan.get("impact"):
        blocks.append(section(request_impact(run.plan["impact"])))
    blocks.append(context(*decision_lines(view)))
    outcome = run.outcome
    if outcome:
        text = [f"*{escape(outcome.get('reason', ''))}*"] if outcome.get("reason") else []
        for key, title in (("done", "Done"), ("not_done", "Not done")):
            if outcome.get(key):
                items = [f"• {escape(d)}" for d in outcome[key]]
                text.append(f"{title}:\n" + "\n".join(clip_lines(items, 15, LIST_BUDGET // 2 - 20)))
        if text:
            blocks.append(section("\n".join(text)))
    if run.state == RunState.REQUESTED:
        blocks.append(section(messages.approvers_asked([mention(a) for a in view.approvers], run.required)))
        blocks.append({"type": "actions", "block_id": f"run-{run.id}", "elements": [
            button("Approve", "carbon.approve", run.id, "primary"), button("Reject", "carbon.reject", run.id, "danger")]})
    elif run.state in ROLLBACK_FROM and view.can_roll_back:
        blocks.append({"type": "actions", "block_id": f"run-{run.id}",
                       "elements": [button("Roll back", "carbon.rollback", run.id, "danger")]})
    return blocks


def plan_section(run_id: str, changes: Sequence[Sequence[str]], plan_hash: str) -> Block:
    """The summary, the first few changes and the View full plan button (its own block, not the actions block)."""
    block = section(f"{messages.plan_heading(len(changes), plan_hash)}\n{summary(changes)}\n{request_lines(changes)}")
    block["block_id"] = f"plan-{run_id}"
    block["accessory"] = button(messages.view_full_plan(), VIEW_PLAN, run_id)
    return block


def decision_lines(view: RunView) -> list[str]:
    run = view.run
    approved = [mention(d["user"]) for d in view.decisions if d["decision"] == "approve"]
    rejected = [mention(d["user"]) + (f" ({escape(d['reason'])})" if d.get("reason") else "") for d in view.decisions
                if d["decision"] == "reject"]
    lines = [f"approvals {len(approved)}/{run.required}" + (f": {', '.join(approved)}" if approved else "")]
    if rejected:
        lines.append(f"rejected by {', '.join(rejected)}")
    lines.append(f"expires {messages.when(run.expires_at, view.zone)}" if run.state == RunState.REQUESTED
                 else f"updated {messages.when(run.updated_at, view.zone)}")
    return lines


def render_runs(runs: Sequence[Run], titles: dict[str, str], approvers: dict[str, list[str]],
                task_id: str | None, zone: tzinfo = UTC) -> list[Block]:
    blocks: list[Block] = [header(f"Runs of {task_id}" if task_id else "Recent runs")]
    if not runs:
        return [*blocks, section(escape(messages.no_runs_yet()))]
    lines = [f"`{r.id}` {STATE_LABEL[r.state]} · `{escape(r.task_id)}` {escape(titles.get(r.task_id, ''))} · "
             f"by {mention(r.requester)} · approved by {_mentions(approvers.get(r.id, []))} · "
             f"requested {messages.when(r.requested_at, zone)} · updated {messages.when(r.updated_at, zone)}" for r in runs]
    blocks.append(section(fit_lines("", lines, 40)))
    return blocks


def _mentions(ids: Sequence[str]) -> str:
    return ", ".join(mention(u) for u in ids) or "nobody yet"


def run_line(run: RunInfo) -> str:
    """One run in the digest and App Home."""
    approvers = ", ".join(mention(a) for a in run.approvers) or "nobody yet"
    return (f"`{escape(run.id)}` {escape(run.task_id)} · *{run.state}* · asked by {mention(run.requester)}, "
            f"approved by {approvers} · "
            f"{messages.when(run.updated_at, named=False)}")
