"""cert-manager Certificates: each named one exists and is Ready."""

from __future__ import annotations

from pydantic import Field, field_validator

from bot.checks.base import CheckKind, CheckResult, Params
from bot.snapshot.objects import condition, ref
from bot.snapshot.snapshot import Snapshot


class CertificatesParams(Params):
    certificates: tuple[str, ...] = Field(min_length=1, description="namespace/name of each Certificate")

    @field_validator("certificates")
    @classmethod
    def _refs(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        bad = [v for v in value if v.count("/") != 1 or not all(v.split("/"))]
        if bad:
            raise ValueError(f"{', '.join(bad)}: expected namespace/name")
        return value


def certificates_ready(params: CertificatesParams, snapshot: Snapshot) -> CheckResult:
    found = {ref(c): c for c in snapshot.items("certificates", {c.split("/", 1)[0] for c in params.certificates})}
    ready, evidence = 0, []
    for wanted in params.certificates:
        cert = found.get(wanted)
        if cert is None:
            evidence.append(f"{wanted}: missing")
            continue
        cond = condition(cert, "Ready")
        if cond and cond.get("status") == "True":
            ready += 1
        else:
            why = (cond or {}).get("reason") or "no Ready condition"
            message = (cond or {}).get("message")
            evidence.append(f"{wanted}: not Ready ({why}{': ' + message if message else ''})")
    total = len(params.certificates)
    return CheckResult.measured(ready, total, f"{ready}/{total} certificates Ready", evidence)


CERTIFICATES_READY = CheckKind("certificates_ready", CertificatesParams, certificates_ready,
                               "cert-manager Certificates (namespace/name) exist with condition Ready=True.",
                               reads=("certificates",))
