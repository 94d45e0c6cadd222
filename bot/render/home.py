"""Block Kit for the App Home tab: phases, open risks, pending approvals and recent runs, in one view of
at most 100 blocks (Slack's limit for a Home view), each list cut with "…and N more"."""

from __future__ import annotations

from collections.abc import Sequence

from bot.ports import RunInfo
from bot.progress.measure import PlanProgress
from bot.render.risks import count_by_severity, fit_lines, short_list
from bot.render.runs import run_line
from bot.render.status import Block, context, divider, header, phase_line, section
from bot.risks import RiskFinding

MAX_HOME_BLOCKS = 100


def render_home(progress: PlanProgress, risks: Sequence[RiskFinding], pending: Sequence[RunInfo] | None,
                recent: Sequence[RunInfo] | None) -> list[Block]:
    """`pending`/`recent` are None when runs are not tracked (no run feed wired)."""
    blocks: list[Block] = [header(f"{progress.plan_name}: {round(progress.fraction * 100)}% measured")]
    blocks += [section(phase_line(phase)) for phase in progress.phases[:40]]
    blocks.append(divider())
    blocks.append(section(short_list(f"*Open risks* ({count_by_severity(risks)})", risks, 25)))
    untracked = ["runs are not tracked in this version"]
    blocks.append(section(fit_lines("*Pending approvals*",
                                    untracked if pending is None else [run_line(r) for r in pending] or ["none"], 20)))
    blocks.append(section(fit_lines("*Recent runs*",
                                    untracked if recent is None else [run_line(r) for r in recent] or ["none"], 15)))
    blocks.append(context(f"Measured {progress.taken_at:%Y-%m-%d %H:%M %Z}".strip(),
                          "`/carbon status <phase>` for a phase's evidence · `/carbon risks` for details"))
    return blocks[:MAX_HOME_BLOCKS]
