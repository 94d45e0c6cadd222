"""Who may do what to a plan task: the one place that answers "may this user …" for run, approve, rollback
and attest.

Ids are users (U…) or user groups (S…); groups resolve through the Directory port (the Slack gateway
caches them). When Slack cannot confirm a group's members, `Unavailable` propagates: the user is told so,
and nothing is allowed on a guess. CARBON_REQUESTERS may request runs and attest (`*` for anyone); CARBON_APPROVERS, narrowed
by the task's own `approval.approvers`, may approve, reject and roll back. Risk alerts: requesters may
acknowledge and snooze them; snoozing a critical one takes an approver.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bot.plan.model import Task
from bot.ports import Directory


@dataclass(frozen=True)
class Access:
    requesters: tuple[str, ...]
    approvers: tuple[str, ...]
    directory: Directory | None = None

    def users(self, ids: Iterable[str]) -> frozenset[str]:
        """User ids, with user groups (S…) replaced by their members; a group we cannot resolve adds nobody."""
        users: set[str] = set()
        for ident in ids:
            if not ident.startswith("S"):
                users.add(ident)
            elif self.directory is not None:
                users |= self.directory.members(ident)
        return frozenset(users)

    def may_request(self, user: str) -> bool:
        return "*" in self.requesters or user in self.users(self.requesters)

    def is_approver(self, user: str) -> bool:
        """In CARBON_APPROVERS, whatever the task: e.g. to snooze a critical alert."""
        return user in self.users(self.approvers)

    def approvers_for(self, task: Task | None) -> frozenset[str]:
        """Nobody for a task that left the plan: its runs can no longer be decided."""
        if task is None:
            return frozenset()
        allowed = self.users(self.approvers)
        if task.approval.approvers:
            allowed &= self.users(task.approval.approvers)
        return allowed
