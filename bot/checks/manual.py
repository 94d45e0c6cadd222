"""A task no machine can check: done only when a person attests it (`/carbon attest`)."""

from __future__ import annotations

from bot.checks.base import CheckKind, CheckResult, Params, State
from bot.snapshot.snapshot import Snapshot


class ManualParams(Params):
    how_to_verify: str = ""


def manual(params: ManualParams, snapshot: Snapshot) -> CheckResult:
    hint = f": {params.how_to_verify}" if params.how_to_verify else ""
    return CheckResult(State.PENDING, 0.0, f"awaiting attestation{hint}")


MANUAL = CheckKind("manual", ManualParams, manual, "No probe: a person attests it with /carbon attest.")
