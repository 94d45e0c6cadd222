"""apply_disruption_budgets' parameters and the disruption controller's arithmetic the dry run judges with."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from bot.actions.budget_params import BudgetsParams, evictions_allowed


def target(**fields: Any) -> dict[str, Any]:
    return {"namespace": "apps", "name": "web", **fields}


@pytest.mark.parametrize(("fields", "error"), [
    ({}, "exactly one of min_available or max_unavailable"),
    ({"min_available": 1, "max_unavailable": 1}, "exactly one of min_available or max_unavailable"),
    ({"min_available": "150%"}, "nor a percentage from 0% to 100%"),
    ({"min_available": "1"}, "nor a percentage"),
    ({"max_unavailable": -1}, "neither a count (0 or more)"),
    ({"max_unavailable": True}, "neither a count"),
    ({"min_available": 1, "replicas": 0}, "greater than or equal to 1"),
    ({"min_available": 1, "kind": "DaemonSet"}, "'Deployment' or 'StatefulSet'"),
])
def test_bad_targets_are_refused_at_load_saying_what_would_be_right(fields: dict[str, Any], error: str) -> None:
    with pytest.raises(ValidationError, match=r"(?s)" + error.replace("(", r"\(").replace(")", r"\)")):
        BudgetsParams.model_validate({"targets": [target(**fields)]})


def test_two_targets_writing_one_budget_are_refused() -> None:
    with pytest.raises(ValidationError, match="two targets write poddisruptionbudget apps/web"):
        BudgetsParams.model_validate({"targets": [target(min_available=1), target(max_unavailable=1)]})
    BudgetsParams.model_validate({"targets": [target(min_available=1), target(max_unavailable=1, budget="web-2")]})


@pytest.mark.parametrize(("rule", "replicas", "allowed"), [
    ({"minAvailable": 1}, 1, 0), ({"minAvailable": 1}, 2, 1), ({"minAvailable": 3}, 2, 0),
    ({"maxUnavailable": 0}, 3, 0), ({"maxUnavailable": 1}, 1, 1), ({"maxUnavailable": 5}, 2, 2),
    ({"minAvailable": "50%"}, 1, 0), ({"minAvailable": "50%"}, 3, 1), ({"minAvailable": "0%"}, 1, 1),
    ({"maxUnavailable": "25%"}, 1, 1), ({"maxUnavailable": "0%"}, 4, 0), ({"maxUnavailable": "100%"}, 2, 2),
])
def test_evictions_allowed_round_percentages_up_as_the_disruption_controller_does(
        rule: dict[str, int | str], replicas: int, allowed: int) -> None:
    assert evictions_allowed(rule, replicas) == allowed
