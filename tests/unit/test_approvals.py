"""The approval rules on plain data and an in-process store: who may request and decide, distinct approvers,
the requester never deciding, and a run approved exactly once. The same rules through signed clicks:
tests/scenarios/runs/test_approval_rules.py."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.actions import default_registry as default_actions
from bot.checks import default_registry
from bot.plan.access import Access
from bot.plan.loader import load_plan
from bot.plan.model import Task
from bot.runs.approvals import Verdict, decide
from bot.runs.model import Run, RunState
from bot.runs.records import create_run
from bot.store.store import Store
from tests.fixtures.runs import PLAN

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


class Groups:
    """A Slack user-group directory as plain data."""

    def __init__(self, **groups: frozenset[str]) -> None:
        self.groups = groups

    def members(self, group_id: str) -> frozenset[str]:
        return self.groups.get(group_id, frozenset())


def task(task_id: str) -> Task:
    found = load_plan(PLAN, default_registry(), default_actions()).task(task_id)
    assert found is not None
    return found


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    store = Store(tmp_path / "runs.db")
    yield store
    store.close()


def new_run(store: Store, required: int) -> Run:
    return create_run(store, task_id="restore", action="scale_deployments", requester="U0ALICE", required=required,
                      ttl_hours=24, plan_hash="h", plan={}, now=NOW)


def test_groups_are_expanded_and_an_unresolvable_group_adds_nobody() -> None:
    directory = Groups(S0PLATFORM=frozenset({"U0DAVE", "U0ERIN"}))
    assert Access((), (), directory).users(["U0BOB", "S0PLATFORM", "S0GONE"]) == {"U0BOB", "U0DAVE", "U0ERIN"}
    assert Access((), ()).users(["U0BOB", "S0PLATFORM"]) == {"U0BOB"}


def test_a_tasks_approvers_narrow_the_global_ones() -> None:
    directory = Groups(S0PLATFORM=frozenset({"U0DAVE"}))
    both = Access(("*",), ("U0BOB", "U0DAVE"), directory)
    assert both.approvers_for(task("restore")) == {"U0BOB", "U0DAVE"}
    assert both.approvers_for(task("restore-platform")) == {"U0DAVE"}
    assert Access(("*",), ("U0BOB",), directory).approvers_for(task("restore-platform")) == frozenset()
    assert both.approvers_for(None) == frozenset()  # a task that left the plan: nobody decides its runs


def test_requesters_are_listed_users_groups_or_everyone() -> None:
    directory = Groups(S0PLATFORM=frozenset({"U0ERIN"}))
    listed = Access(("U0ALICE", "S0PLATFORM"), (), directory)
    assert listed.may_request("U0ERIN")
    assert not listed.may_request("U0EVE")
    assert Access(("*",), ()).may_request("U0EVE")


def test_the_requester_and_outsiders_are_refused_and_audited(store: Store) -> None:
    run = new_run(store, required=1)
    allowed = frozenset({"U0ALICE", "U0BOB"})
    assert decide(store, run, "U0ALICE", True, allowed, NOW).verdict == Verdict.OWN_RUN
    assert decide(store, run, "U0MALLORY", True, allowed, NOW).verdict == Verdict.NOT_APPROVER
    refused = [(e["actor"], e["action"]) for e in store.audit_entries(run.id)]
    assert ("U0ALICE", "run.decision_refused") in refused and ("U0MALLORY", "run.decision_refused") in refused
    assert decide(store, run, "U0BOB", True, allowed, NOW).run.state == RunState.APPROVED


def test_two_approvals_need_two_different_approvers_and_then_the_run_is_closed(store: Store) -> None:
    run = new_run(store, required=2)
    allowed = frozenset({"U0BOB", "U0CAROL", "U0DAVE"})
    first = decide(store, run, "U0BOB", True, allowed, NOW)
    assert (first.verdict, first.approvals, first.run.state) == (Verdict.RECORDED, 1, RunState.REQUESTED)
    assert decide(store, run, "U0BOB", True, allowed, NOW).verdict == Verdict.ALREADY
    second = decide(store, run, "U0CAROL", True, allowed, NOW)
    assert (second.verdict, second.approvals, second.run.state) == (Verdict.APPROVED, 2, RunState.APPROVED)
    assert decide(store, run, "U0DAVE", True, allowed, NOW).verdict == Verdict.NOT_PENDING
    assert [e["action"] for e in store.audit_entries(run.id)].count("run.approved") == 1


def test_one_rejection_ends_the_run(store: Store) -> None:
    run = new_run(store, required=2)
    allowed = frozenset({"U0BOB", "U0CAROL"})
    rejected = decide(store, run, "U0CAROL", False, allowed, NOW, reason="not during the freeze")
    assert (rejected.verdict, rejected.run.state) == (Verdict.REJECTED, RunState.REJECTED)
    assert decide(store, run, "U0BOB", True, allowed, NOW).verdict == Verdict.NOT_PENDING
