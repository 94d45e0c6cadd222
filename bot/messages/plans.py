"""The plan as approvers read it: the summary, the parts of the full plan, the modal, the approvers' reminder."""

from __future__ import annotations

from collections.abc import Sequence

VERBS = {"write": "writes", "put-policy": "writes", "put-role": "writes", "remove-key": "removes", "bind": "binds",
         "create": "creates", "update": "updates", "patch": "patches", "delete": "deletes", "scale": "scales",
         "enable": "enables", "configure": "configures", "annotate": "annotates", "label": "labels"}


def verb(op: str) -> str:
    """`patch` → "patches": how the summary says an operation."""
    if op in VERBS:
        return VERBS[op]
    word = op.replace("-", " ")
    return word + ("es" if word.endswith(("s", "x", "ch", "sh")) else "s")


def plural(kind: str, count: int) -> str:
    if count == 1:
        return kind
    if kind.endswith("y") and not kind.endswith(("ay", "ey", "oy")):
        return kind[:-1] + "ies"
    return kind + ("es" if kind.endswith(("s", "x", "ch", "sh")) else "s")


def plan_summary(counts: Sequence[tuple[str, str, int]]) -> str:
    """(op, kind, count) in plan order → "writes 9 Vault keys · patches 9 Deployments"."""
    return " · ".join(f"{verb(op)} {count} {plural(kind, count)}" for op, kind, count in counts) or "changes nothing"


def plan_heading(changes: int, plan_hash: str) -> str:
    return f"*Plan* ({changes} change(s), hash `{plan_hash[:12]}`)"


def more_in_full_plan(count: int) -> str:
    return f"…and {count} more: *View full plan*, or the plan in this request's thread"


def plan_part_title(part: int, parts: int, plan_hash: str) -> str:
    return f"plan {part}/{parts} · hash {plan_hash[:12]}"


def plan_modal_title(run_id: str) -> str:
    return f"Plan {run_id}"


def plan_page_footer(page: int, pages: int, changes: int, plan_hash: str) -> str:
    return f"page {page}/{pages} · {changes} change(s) · hash `{plan_hash[:12]}` · values of secrets are never shown"


def view_full_plan() -> str:
    return "View full plan"


def approvers_asked(mentions: Sequence[str], required: int) -> str:
    if not mentions:
        return "No approvers are configured (CARBON_APPROVERS): nobody can approve this run."
    return f"{', '.join(mentions)}: {required} approval(s) needed."


def approval_reminder(run_id: str, mentions: Sequence[str], approvals: int, required: int, expires: str) -> str:
    who = ", ".join(mentions) or "Approvers"
    return (f":alarm_clock: {who}: run `{run_id}` still needs {required - approvals} more approval(s) "
            f"({approvals}/{required}); it expires {expires}.")


def no_plan_to_show(run_id: str) -> str:
    return f"There is no run `{run_id}` to show a plan of. `/carbon runs` lists recent ones."
