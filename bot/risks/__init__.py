"""Risk rules: plain functions `rule(snapshot, now) -> list[RiskFinding]` in one table, run over the snapshot
the checks read.

A rule whose source cannot be read (the list is Unavailable) yields no finding rather than a guess, except
where unreachability is itself the risk (Vault). Nothing registers on import: `default_rules()` builds the
table, and tests may pass their own.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

import structlog

from bot.errors import Unavailable, new_ref
from bot.risks import cluster_rules, security_rules
from bot.risks.base import RiskFinding, Rule, Severity, fingerprint, most_severe_first
from bot.snapshot.snapshot import Snapshot

__all__ = ["RiskFinding", "Rule", "Severity", "default_rules", "fingerprint", "most_severe_first", "scan"]
log = structlog.get_logger(__name__)


def default_rules() -> dict[str, Rule]:
    return {**cluster_rules.RULES, **security_rules.RULES}


def default_reads() -> dict[str, tuple[str, ...]]:
    """What each default rule reads, for those that read nothing but cluster kinds (their findings can be reused)."""
    return {**cluster_rules.READS, **security_rules.READS}


def scan(snapshot: Snapshot, now: datetime, rules: Mapping[str, Rule] | None = None,
         reads: Mapping[str, tuple[str, ...]] | None = None) -> list[RiskFinding]:
    """Every finding of every rule, most severe first; a rule that crashes is logged and skipped. A rule named in
    `reads` (the default rules' own declarations when `rules` is None) is answered from its last findings while
    the kinds it read are unchanged in the watch-fed view."""
    if rules is None:
        rules, reads = default_rules(), default_reads() if reads is None else reads
    declared = reads or {}
    found: dict[str, RiskFinding] = {}
    for name, rule in rules.items():
        try:
            results = snapshot.reused(("rule", name), declared.get(name, ()),
                                      lambda reader, rule=rule: rule(reader, now))
        except Unavailable:
            continue
        except Exception:
            log.exception("risk_rule_failed", rule=name, ref=new_ref())
            continue
        for finding in results:
            found.setdefault(finding.fingerprint, finding)
    return most_severe_first(list(found.values()))
