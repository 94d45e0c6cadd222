"""Every message type, rendered from hostile and huge data, stays within Slack's limits and carries no
unescaped control sequence from the data (hypothesis): the approval request with 0 to 2,000 changes and
3,000-character names, the modal's pages and the thread's parts, status, a phase, tasks, help, the digest,
the App Home, risks, an alert and the runs list.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from functools import cache
from itertools import cycle
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.alerts.lifecycle import Alert
from bot.checks.base import State
from bot.digest.build import DigestView, TaskChange
from bot.progress.measure import PhaseProgress, PlanProgress, TaskProgress
from bot.render.blocks import MAX_BLOCKS, MAX_MODAL_TITLE, MAX_VIEW_BLOCKS, fallback_text
from bot.render.digest import render_digest
from bot.render.home import render_home
from bot.render.plan import plan_pages, plan_view, thread_parts
from bot.render.risks import render_alert, render_risks
from bot.render.runs import RunView, render_run, render_runs
from bot.render.status import render_help, render_phase, render_status, render_tasks
from bot.risks.base import RiskFinding, Severity
from bot.runs.model import Run, RunState
from tests.fixtures.run_feed import Run as FeedRun
from tests.unit.slack_checks import HOSTILE, mrkdwn_texts, nothing_unescaped, within_limits
from tests.unit.test_golden_blocks import progress

AT = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
piece = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=12))
hostile = st.lists(piece, min_size=1, max_size=6).map("".join)
names = st.one_of(hostile, st.integers(1, 3000).map(lambda n: ("<&>" * n)[:n]))


@cache
def base_progress() -> PlanProgress:
    return progress()


def hostile_progress(words: Callable[[], str]) -> PlanProgress:
    base = base_progress()
    phases = []
    for phase in base.phases:
        tasks = []
        for item in phase.tasks:
            task = item.task.model_copy(update={"title": words()})
            result = replace(item.result, summary=words(), evidence=tuple(words() for _ in range(3)))
            if result.state == State.ATTESTED:
                result = replace(result, detail={"attested_by": "U0BOB", "day": "2026-11-29", "note": words()})
            tasks.append(TaskProgress(task, result))
        phases.append(PhaseProgress(phase.phase.model_copy(update={"title": words()}), tuple(tasks)))
    return PlanProgress(words(), tuple(phases), AT, {"cluster": words()})


def request(words: Callable[[], str], changes: list[list[str]], state: RunState = RunState.REQUESTED) -> RunView:
    impact = {"irreversible": [words() for _ in range(12)], "rolls": [words() for _ in range(30)],
              "sources": [words()], "flows": [words()], "warnings": [words()]}
    outcome = {"reason": words(), "done": [words() for _ in range(20)], "not_done": [words()]}
    run = Run("r-7f3a", words(), words(), state, "U0ALICE", AT, AT + timedelta(hours=24), AT, 2, "ab" * 32,
              {"changes": changes, "data": {}, "impact": impact}, "C0CARBON", "1.0", outcome)
    decisions = [{"user": "U0BOB", "decision": "approve", "at": "", "reason": ""},
                 {"user": "U0CAROL", "decision": "reject", "at": "", "reason": words()}]
    return RunView(run, words(), decisions, True, UTC, ("S0OPS", "U0BOB"))


def rendered(words: Callable[[], str], changes: list[list[str]]) -> list[tuple[str, list[dict[str, Any]], int]]:
    """(name, blocks, block limit) of every message type."""
    view = hostile_progress(words)
    findings = [RiskFinding(words(), sev, words(), words(), words()) for sev in Severity for _ in range(20)]
    feed = [FeedRun(words(), words(), "failed", "U0DAVE", ("U0BOB",), AT) for _ in range(30)]
    alert = Alert("fp", words(), words(), "critical", words(), words(), "open", AT.isoformat(), AT.isoformat(),
                  acked_by="U0CAROL", snoozed_by="U0BOB", snoozed_until=(AT + timedelta(hours=2)).isoformat())
    digest = DigestView(view, AT - timedelta(days=1), {}, [TaskChange(words(), words(), "failing", "done")] * 30,
                        feed, findings, [(words(), words())] * 20)
    runs = [request(words, changes, state).run for state in RunState]
    out = [("request:" + s.value, render_run(request(words, changes, s)), MAX_BLOCKS) for s in RunState]
    out += [("thread", part, MAX_BLOCKS) for part in thread_parts(changes, "ab" * 32, request(words, []).run.plan["impact"])]
    for page in range(1, len(plan_pages(changes)) + 1):
        modal = plan_view("r-7f3a", words(), changes, "ab" * 32, page)
        assert len(modal["title"]["text"]) <= MAX_MODAL_TITLE
        out.append((f"modal {page}", modal["blocks"], MAX_VIEW_BLOCKS))
    out += [("status", render_status(view, 3, {}, words()), MAX_BLOCKS),
            ("phase", render_phase(view, view.phases[2]), MAX_BLOCKS),
            ("tasks", render_tasks(view, view.phases, {view.phases[0].tasks[0].task.id}), MAX_BLOCKS),
            ("help", render_help([("status", "what it does", ["status p2"])] * 60), MAX_BLOCKS),
            ("digest", render_digest(digest), MAX_BLOCKS),
            ("home", render_home(view, findings, feed, feed), MAX_VIEW_BLOCKS),
            ("risks", render_risks(findings, {f.fingerprint: words() for f in findings}, AT), MAX_BLOCKS),
            ("alert", render_alert(alert, AT), MAX_BLOCKS),
            ("runs", render_runs(runs, {r.task_id: words() for r in runs}, {r.id: ["U0BOB"] for r in runs}, None),
             MAX_BLOCKS)]
    return out


def changes_of(count: int, words: Callable[[], str]) -> list[list[str]]:
    ops = cycle(["write", "create", "patch", "remove-key", "put-policy", words()])
    return [[next(ops), f"deployment ns/{words()}", words()] for _ in range(count)]


SETTINGS = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SIZES = st.sampled_from([0, 1, 6, 41, 400, 2000])


@SETTINGS
@given(st.lists(names, min_size=1, max_size=20), SIZES)
def test_every_message_keeps_slacks_limits(pool: list[str], count: int) -> None:
    words = cycle(pool).__next__
    for name, blocks, limit in rendered(words, changes_of(count, words)):
        try:
            within_limits(blocks, limit)
        except AssertionError as exc:
            raise AssertionError(f"{name}: {exc}") from exc


@SETTINGS
@given(st.lists(hostile, min_size=1, max_size=10), st.sampled_from([0, 3, 12]))
def test_no_message_carries_unescaped_data(pool: list[str], count: int) -> None:
    words = cycle(pool).__next__
    for name, blocks, _ in rendered(words, changes_of(count, words)):
        try:
            nothing_unescaped([*mrkdwn_texts(blocks), fallback_text(blocks)])
        except AssertionError as exc:
            raise AssertionError(f"{name}: {exc}") from exc


def test_the_attester_is_mentioned_and_the_note_escaped() -> None:
    view = hostile_progress(lambda: "<!channel> <https://evil|Re-authenticate Carbon>")
    text = "\n".join(mrkdwn_texts(render_phase(view, view.phases[4])))
    assert "<@U0BOB>" in text and "&lt;!channel&gt;" in text and "<!channel>" not in text


def test_a_2000_change_plan_is_all_in_the_thread_and_the_modal() -> None:
    changes = [["patch", f"deployment ns/app-{i}", f"replicas {i} → {i + 1}"] for i in range(2000)]
    thread = "\n".join(t for part in thread_parts(changes, "ab" * 32) for t in mrkdwn_texts(part))
    pages = "\n".join(t for page in plan_pages(changes) for t in page)
    for text in (thread, pages):
        assert all(f"`deployment ns/app-{i}`: replicas {i} → {i + 1}" in text for i in (0, 999, 1999))
        assert text.count("\n") >= 1999
    parts = thread_parts(changes, "ab" * 32)
    assert parts[0][0]["elements"][0]["text"] == f"plan 1/{len(parts)} · hash {'ab' * 6}"
