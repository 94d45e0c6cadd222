"""The full plan of a run as approvers read it: its summary, its numbered lines, and the same lines packed
into the modal's pages and the thread's numbered messages.

Pure functions. Lines are never cut to fit: a section holds whole lines up to Slack's 3,000 characters, a
page or a thread message whole sections up to its block limit. Only a single line longer than a section
(a 3,000-character name) is shortened, with "…". Every name and description is data: escaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot import messages
from bot.render.blocks import LIST_BUDGET, MAX_MODAL_TITLE, Block, button, clip_text, context, escape, header, section

Change = Sequence[str]  # [op, target, what], as a run stores its plan
KINDS = {"configmap": "ConfigMap", "externalsecret": "ExternalSecret", "secretstore": "SecretStore",
         "clustersecretstore": "ClusterSecretStore", "statefulset": "StatefulSet", "daemonset": "DaemonSet",
         "networkpolicy": "NetworkPolicy", "serviceaccount": "ServiceAccount", "rolebinding": "RoleBinding",
         "clusterrole": "ClusterRole", "clusterrolebinding": "ClusterRoleBinding", "cronjob": "CronJob",
         "poddisruptionbudget": "PodDisruptionBudget", "vaultstaticsecret": "VaultStaticSecret",
         "vaultauth": "VaultAuth", "vaultconnection": "VaultConnection"}
SECTIONS_PER_PAGE = 8  # a modal page: ~8 × 2,800 characters, far below the 100-block view limit
SECTIONS_PER_PART = 10  # a thread message: ~28,000 characters, below Slack's 40,000 for a message
REQUEST_LINES = 5  # change lines the approval request itself shows under the summary
PAGE_ACTION = "carbon.plan_page"


def object_kind(op: str, target: str) -> str:
    """What a change touches, for the summary: "Deployment", "ConfigMap key", "Vault key", "Vault policy"."""
    if target.startswith("vault "):
        rest = target.removeprefix("vault ")
        if rest.startswith("policy"):
            return "Vault policy"
        if rest.startswith("secrets "):
            return "Vault secrets engine"
        for part, kind in (("/rotate-root/", "Vault root credential"), ("/roles/", "Vault database role"),
                           ("/config/", "Vault database connection")):
            if part in rest:
                return kind
        if "/role/" in rest:
            return "Vault role"
        return "Vault auth config" if rest.endswith("/config") else "Vault auth method"
    word, _, name = target.partition(" ")
    if not name:  # a bare path: a key written in Vault's KV
        return "Vault key" if op == "write" else "object"
    kind = KINDS.get(word.lower(), word[:1].upper() + word[1:])
    return f"{kind} key" if "#" in name else kind


def summary_counts(changes: Sequence[Change]) -> list[tuple[str, str, int]]:
    counts: dict[tuple[str, str], int] = {}
    for change in changes:
        key = (change[0], object_kind(change[0], change[1]))
        counts[key] = counts.get(key, 0) + 1
    return [(op, kind, count) for (op, kind), count in counts.items()]


def summary(changes: Sequence[Change]) -> str:
    return escape(messages.plan_summary(summary_counts(changes)))


def change_line(number: int, change: Change) -> str:
    """`12. patch deployment ns/x: before → after` (the action's own description of what changes)."""
    what = f": {escape(change[2])}" if len(change) > 2 and change[2] else ""
    return clip_text(f"{number}. *{escape(change[0])}* `{escape(change[1])}`{what}", LIST_BUDGET)


def plan_lines(changes: Sequence[Change]) -> list[str]:
    return [change_line(i, c) for i, c in enumerate(changes, 1)]


IMPACT_LABELS = (("irreversible", ":warning: *Cannot be undone*"), ("rolls", "*Rolls*"),
                 ("sources", "*Changes source*"), ("flows", "*Flows*"), ("warnings", ":warning: *Warnings*"))


def impact_lines(impact: dict[str, Sequence[str]]) -> list[str]:
    """What approving does to the running platform, by group, the steps that cannot be undone first."""
    lines: list[str] = []
    for key, label in IMPACT_LABELS:
        items = impact.get(key) or []
        if items:
            lines.append(f"{label} ({len(items)})")
            lines += [clip_text(f"• {escape(item)}", LIST_BUDGET) for item in items]
    return lines


def full_lines(changes: Sequence[Change], impact: dict[str, Sequence[str]] | None) -> list[str]:
    """The whole plan: its impact, then every change, numbered."""
    found = impact_lines(impact or {})
    return [*(["*Impact*", *found, "*Changes*"] if found else []), *plan_lines(changes)]


def pack(lines: Sequence[str], budget: int = LIST_BUDGET) -> list[str]:
    """Whole lines into section texts of at most `budget` characters each."""
    texts: list[str] = []
    current: list[str] = []
    used = 0
    for line in lines:
        if current and used + len(line) + 1 > budget:
            texts.append("\n".join(current))
            current, used = [], 0
        current.append(line)
        used += len(line) + 1
    if current:
        texts.append("\n".join(current))
    return texts


def chunks(texts: Sequence[str], size: int) -> list[list[str]]:
    return [list(texts[i:i + size]) for i in range(0, len(texts), size)] or [[]]


def plan_pages(changes: Sequence[Change], impact: dict[str, Sequence[str]] | None = None) -> list[list[str]]:
    """The modal's pages: each a list of section texts."""
    return chunks(pack(full_lines(changes, impact)), SECTIONS_PER_PAGE)


def request_lines(changes: Sequence[Change], limit: int = REQUEST_LINES) -> str:
    """The first few change lines for the request itself, then where the rest is."""
    lines = plan_lines(changes[:limit])
    kept = pack(lines, LIST_BUDGET - 200)[0].split("\n") if lines else []
    if len(kept) < len(changes):
        kept.append(messages.more_in_full_plan(len(changes) - len(kept)))
    return "\n".join(kept)


def request_impact(impact: dict[str, Sequence[str]], budget: int = LIST_BUDGET - 300) -> str:
    """The impact in the request: whole lines while they fit, then where the rest is."""
    lines = impact_lines(impact)
    kept = pack(lines, budget)[0].split("\n") if lines else []
    if len(kept) < len(lines):
        kept.append(messages.more_in_full_plan(len(lines) - len(kept)))
    return "\n".join(["*Impact*", *kept])


def thread_parts(changes: Sequence[Change], plan_hash: str,
                 impact: dict[str, Sequence[str]] | None = None) -> list[list[Block]]:
    """The full plan as numbered thread messages ("plan 1/3 · hash …"), each within Slack's limits."""
    parts = chunks(pack(full_lines(changes, impact)), SECTIONS_PER_PART)
    return [[context(messages.plan_part_title(i, len(parts), plan_hash)), *[section(t) for t in texts]]
            for i, texts in enumerate(parts, 1)]


def plan_view(run_id: str, title: str, changes: Sequence[Change], plan_hash: str, page: int = 1,
              impact: dict[str, Sequence[str]] | None = None) -> dict[str, Any]:
    """A modal showing one page of the plan, with Previous/Next buttons (value `run-id:page`)."""
    pages = plan_pages(changes, impact)
    page = max(1, min(page, len(pages)))
    blocks: list[Block] = [header(title), section(f"*{summary(changes)}*")]
    blocks += [section(text) for text in pages[page - 1]]
    blocks.append(context(messages.plan_page_footer(page, len(pages), len(changes), plan_hash)))
    nav = []
    if page > 1:
        nav.append(button("Previous", PAGE_ACTION, f"{run_id}:{page - 1}"))
    if page < len(pages):
        nav.append(button("Next", PAGE_ACTION, f"{run_id}:{page + 1}", "primary"))
    if nav:
        blocks.append({"type": "actions", "block_id": "plan-pages", "elements": nav})
    return {"type": "modal", "callback_id": "carbon.plan", "private_metadata": run_id,
            "title": {"type": "plain_text", "text": clip_text(messages.plan_modal_title(run_id), MAX_MODAL_TITLE)},
            "close": {"type": "plain_text", "text": "Close"}, "blocks": blocks}
