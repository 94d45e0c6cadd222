"""The run state machine as a property: any sequence of attempted transitions, from any number of actors,
moves a run only along TRANSITIONS, each success once, each with exactly one audit row."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.runs.model import FINAL, TRANSITIONS, RunState, can_move
from bot.runs.records import create_run, get_run, transition
from bot.store.store import Store

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
EDGES = [(frm, to) for frm, tos in TRANSITIONS.items() for to in tos]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(EDGES), max_size=12))
def test_transitions_follow_the_table_and_each_success_is_audited(tmp_path_factory: pytest.TempPathFactory,
                                                                  attempts: list[tuple[RunState, RunState]]) -> None:
    store = Store(tmp_path_factory.mktemp("sm") / "runs.db")
    try:
        run = create_run(store, task_id="t", action="a", requester="U0ALICE", required=1, ttl_hours=1,
                         plan_hash="h", plan={}, now=NOW)
        state, moves = RunState.REQUESTED, 0
        for frm, to in attempts:
            moved = transition(store, run.id, frm, to, actor="U0BOB", now=NOW)
            assert moved == (frm == state)
            if moved:
                assert can_move(state, to)
                state, moves = to, moves + 1
        fresh = get_run(store, run.id)
        assert fresh is not None and fresh.state == state
        audited = [e for e in store.audit_entries(run.id, limit=100) if e["action"] != "run.requested"]
        assert len(audited) == moves
        if state in FINAL:
            assert not TRANSITIONS.get(state)
    finally:
        store.close()


def test_a_transition_not_in_the_table_is_a_programming_error(tmp_path: Path) -> None:
    store = Store(tmp_path / "runs.db")
    run = create_run(store, task_id="t", action="a", requester="U0ALICE", required=1, ttl_hours=1,
                     plan_hash="h", plan={}, now=NOW)
    with pytest.raises(ValueError, match="no transition"):
        transition(store, run.id, RunState.REQUESTED, RunState.SUCCEEDED, actor="U0BOB", now=NOW)
    store.close()
