"""Issue 11, item 12: a secret's length shows nowhere, and no value travels in the migration's own requests.

Approval requests once showed `len 21` for each moved key; the migration's JSON patch once sent each value in a
`test` operation (so it landed in Kubernetes audit logs at Request level). The precondition is the ConfigMap's
resourceVersion now; what the bot sends to configmaps while migrating must hold no value it moves.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from bot.local.emulator import KubeEmulator
from tests.fixtures.runs import PLAN, click, request, state, thread

CANARIES = {"superset-config": {"DATABASE_PASSWORD": "CANARY-len-7c1e-superset"},
            "trino-config": {"TRINO_SHARED_SECRET": "CANARY-len-90ab-trino"}}
LENGTH = re.compile(r"\blen(gth)?[ =:]+\d", re.IGNORECASE)


@pytest.fixture
def canaries(migratable: KubeEmulator) -> KubeEmulator:
    for name, data in CANARIES.items():
        cm = migratable.get("configmaps", name, "data-platform")
        migratable.add({**cm, "data": {**cm["data"], **data}})
    migratable.reset_requests()
    return migratable


def said(bot: Any) -> str:
    """Everything the bot posted or updated in the channel (approval requests, their updates, thread messages)."""
    return json.dumps([call.params for call in bot.slack.calls], ensure_ascii=False)


def test_no_approval_request_or_thread_message_shows_a_secret_length(make_carbon: Any, canaries: KubeEmulator) -> None:
    bot = make_carbon(canaries, CARBON_PLAN=str(PLAN))
    run = request(bot, "secrets")
    posted = said(bot)
    assert "superset-config#DATABASE_PASSWORD" in posted  # the approval request lists the moved keys
    click(bot, "carbon.approve", run, "U0BOB")
    assert state(bot, run) == "succeeded", thread(bot, run)
    assert thread(bot, run)
    assert not LENGTH.search(said(bot)), LENGTH.search(said(bot))


def test_the_migration_sends_no_value_to_configmaps(make_carbon: Any, canaries: KubeEmulator) -> None:
    bot = make_carbon(canaries, CARBON_PLAN=str(PLAN))
    run = request(bot, "secrets")
    click(bot, "carbon.approve", run, "U0BOB")
    assert state(bot, run) == "succeeded", thread(bot, run)
    writes = [r for r in canaries.requests if "/configmaps" in r.path and r.method in ("PATCH", "PUT", "POST")]
    assert writes, "the migration removed no key"
    for r in writes:
        for value in (v for data in CANARIES.values() for v in data.values()):
            assert value.encode() not in r.body, (r.method, r.path)
        if r.body.startswith(b"["):
            tested = [op["path"] for op in json.loads(r.body) if op.get("op") == "test"]
            assert all(not path.startswith("/data") for path in tested), tested
