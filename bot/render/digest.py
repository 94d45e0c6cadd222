"""Block Kit for the digest: pure, within Slack's limits (50 blocks, 3,000 characters a section; long lists
end with "…and N more")."""

from __future__ import annotations

from bot.digest.build import DigestView
from bot.messages import when
from bot.render.blocks import MAX_BLOCKS, Block, bar, context, escape, fit_lines, header, percent, section
from bot.render.risks import count_by_severity, short_list
from bot.render.runs import run_line

LIST_LIMIT = 15
CHANGE_ICON = {"done": ":white_check_mark:", "regressed": ":warning:", "changed": ":arrows_counterclockwise:"}


def _moved(delta: float | None) -> str:
    if delta is None:
        return "first digest"
    if abs(delta) < 0.005:
        return "no change"
    return f"{'+' if delta > 0 else '−'}{abs(delta) * 100:.0f} pts"


def render_digest(view: DigestView) -> list[Block]:
    progress = view.progress
    since = f"since {when(view.since, named=False)}" if view.since else "first digest"
    blocks: list[Block] = [header(f"Daily digest · {progress.plan_name}: {percent(progress.fraction)}")]
    phase_lines = [f"*{escape(p.phase.id.upper())} · {escape(p.phase.title)}*  `{bar(p.fraction)}` {percent(p.fraction)} "
                   f"({_moved(view.moved(p))})" for p in progress.phases]
    blocks.append(section(fit_lines("", phase_lines, 20)))
    changes = [f"{CHANGE_ICON[c.label]} {c.label}: `{escape(c.task_id)}` {escape(c.title)} ({c.before} → {c.after})"
               for c in view.changes]
    blocks.append(section(fit_lines(f"*Tasks that changed* ({since})", changes or ["none"], LIST_LIMIT)))
    runs = [run_line(r) for r in view.runs] or ["none"]
    blocks.append(section(fit_lines(f"*Runs* ({since})", runs, LIST_LIMIT)))
    blocks.append(section(short_list(f"*Open risks* ({count_by_severity(view.risks)})", view.risks, LIST_LIMIT)))
    runnable = [f"• `{escape(task_id)}` {escape(title)}  →  `/carbon run {escape(task_id)}`" for task_id, title in view.runnable]
    blocks.append(section(fit_lines("*Next tasks that can be run*", runnable or ["none"], 10)))
    blocks.append(context(f"Measured {when(progress.taken_at)}", "`/carbon status` for the live view"))
    return blocks[:MAX_BLOCKS]
