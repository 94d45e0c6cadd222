"""Block Kit for the App Home tab: phases, open risks, pending approvals and recent runs, in one view of
at most 100 blocks (Slack's limit for a Home view), each list cut with "…and N more"."""

from __future__ import annotations

from collections.abc import Sequence

from bot.messages import when
from bot.ports import RunInfo
from bot.progress.measure import PlanProgress
from bot.render.blocks import MAX_VIEW_BLOCKS, Block, context, divider, fit_lines, header, section
from bot.render.risks import count_by_severity, short_list
from bot.render.runs import run_line
from bot.render.status import phase_line
from bot.risks import RiskFinding


def render_home(progress: PlanProgress, risks: Sequence[RiskFinding], pending: Sequence[RunInfo],
                recent: Sequence[RunInfo]) -> list[Block]:
    blocks: list[Block] = [header(f"{progress.plan_name}: {round(progress.fraction * 100)}% measured")]
    blocks += [section(phase_line(phase)) for phase in progress.phases[:40]]
    blocks.append(divider())
    blocks.append(section(short_list(f"*Open risks* ({count_by_severity(risks)})", risks, 25)))
    blocks.append(section(fit_lines("*Pending approvals*", [run_line(r) for r in pending] or ["none"], 20)))
    blocks.append(section(fit_lines("*Recent runs*", [run_line(r) for r in recent] or ["none"], 15)))
    blocks.append(context(f"Measured {when(progress.taken_at)}",
                          "`/carbon status &lt;phase&gt;` for a phase's evidence · `/carbon risks` for details"))
    return blocks[:MAX_VIEW_BLOCKS]
