"""What a risk rule produces: findings with a severity and a fingerprint that survives rewording.

The fingerprint hashes the rule and the subject (the object or scope at risk), never the message, so a
finding whose text or severity changes is still the same finding: the alert is updated, not reposted.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot.snapshot.snapshot import Snapshot


class Severity(StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"

    @property
    def rank(self) -> int:
        """0 for the most severe: sort ascending to list most severe first."""
        return list(Severity).index(self)


def fingerprint(rule: str, subject: str) -> str:
    return hashlib.sha256(f"{rule}\x00{subject}".encode()).hexdigest()[:16]


@dataclass(frozen=True)
class RiskFinding:
    rule: str
    severity: Severity
    subject: str  # what is at risk: `namespace/name`, a namespace, or `cluster`
    title: str
    detail: str = ""

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.rule, self.subject)


Rule = Callable[[Snapshot, datetime], list[RiskFinding]]


def most_severe_first(findings: list[RiskFinding]) -> list[RiskFinding]:
    return sorted(findings, key=lambda f: (f.severity.rank, f.rule, f.subject))
