"""Issue 11, item 1: a rollback undoes only its own run's work, and refuses when the cluster moved since.

Alice requests `restore` twice (A, B); A is approved and succeeds; B is approved and fails as stale (nothing was
applied). Rolling back B must not scale `web` back to 0 under A; rolling back A after someone rescaled `web`
must leave their replicas alone and name the object.
"""

from __future__ import annotations

from typing import Any

from bot import messages
from bot.local.emulator import KubeEmulator
from tests.fixtures.runs import click, request, state, thread


def replicas(kube: KubeEmulator) -> int:
    return int(kube.get("deployments", "web", "apps")["spec"]["replicas"])


def applied_rows(bot: Any, run_id: str) -> list[dict[str, Any]]:
    return [e for e in bot.services.store.audit_entries(subject=run_id) if e["action"] == "run.applied"]


def test_rolling_back_a_stale_run_changes_nothing(bot: Any, small: KubeEmulator) -> None:
    first, second = request(bot, "restore"), request(bot, "restore")
    click(bot, "carbon.approve", first, "U0BOB")
    assert state(bot, first) == "succeeded", thread(bot, first)
    click(bot, "carbon.approve", second, "U0BOB")
    assert state(bot, second) == "failed"
    assert any("Nothing was applied" in text for text in thread(bot, second))
    assert applied_rows(bot, second.id) == []

    bot.slash(f"rollback {second.id}", user="U0CAROL")
    assert bot.last_answer()["text"] == messages.nothing_applied(second.id)
    assert replicas(small) == 2  # A's work stands
    assert (state(bot, first), state(bot, second)) == ("succeeded", "failed")


def test_rolling_back_after_someone_rescaled_is_refused_naming_the_object(bot: Any, small: KubeEmulator) -> None:
    run = request(bot, "restore")
    click(bot, "carbon.approve", run, "U0BOB")
    assert state(bot, run) == "succeeded", thread(bot, run)
    web = small.get("deployments", "web", "apps")
    web["spec"]["replicas"] = 5  # someone scaled it up by hand
    small.add(web)

    bot.slash(f"rollback {run.id}", user="U0CAROL")
    answer = bot.last_answer()["text"]
    assert answer == messages.cluster_changed_since(["deployment apps/web has 5 replicas, not the 2 this run set"])
    assert replicas(small) == 5
    assert state(bot, run) == "succeeded"  # a refused rollback changes nothing, the run's record included
