"""The backup actions' parameters, checked when the plan loads: a cron Velero would reject, a TTL it cannot read, two
schedules of one name, a drill without namespaces are refused with what would be right."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from bot.actions.backups import BackupsParams
from bot.actions.restore_drill import RestoreDrillParams
from bot.actions.velero import cron_problem


def schedules(**schedule: object) -> BackupsParams:
    return BackupsParams.model_validate({"schedules": [{"name": "daily", "namespaces": ["shop"], **schedule}]})


@pytest.mark.parametrize("expr", ["0 2 * * *", "*/15 * * * 1-5", "@daily", "@every 6h", "30 1 1 * *"])
def test_crons_velero_reads(expr: str) -> None:
    assert cron_problem(expr) is None
    assert schedules(schedule=expr).schedules[0].schedule == expr


@pytest.mark.parametrize("expr", ["0 25 * * *", "0 2 * *", "every night", "@every", "@fortnightly"])
def test_crons_velero_rejects_are_refused_naming_the_right_form(expr: str) -> None:
    assert cron_problem(expr) is not None
    with pytest.raises(ValidationError, match="five fields \\(minute hour day month weekday\\) or @daily"):
        schedules(schedule=expr)


def test_ttl_names_and_uniqueness() -> None:
    assert schedules().schedules[0].ttl == "720h0m0s"
    assert schedules(ttl="24h").schedules[0].ttl == "24h"
    for ttl in ("30d", "", "h", "1 day"):
        with pytest.raises(ValidationError, match="ttl"):
            schedules(ttl=ttl)
    with pytest.raises(ValidationError, match="name"):
        schedules(name="Daily_Backups")
    with pytest.raises(ValidationError, match="schedule names must be unique"):
        BackupsParams.model_validate({"schedules": [{"name": "a", "namespaces": ["x"]}, {"name": "a", "namespaces": ["y"]}]})


def test_a_drill_names_its_namespaces_and_compares_known_kinds_only() -> None:
    assert RestoreDrillParams(namespaces=("shop",)).kinds == ("deployments", "statefulsets", "services", "configmaps")
    with pytest.raises(ValidationError, match="namespaces"):
        RestoreDrillParams(namespaces=())
    with pytest.raises(ValidationError, match="kinds"):
        RestoreDrillParams.model_validate({"namespaces": ["shop"], "kinds": ["pods"]})
