"""The burn-up chart: its titles and legend, the digest's comment on it, and what `carbon chart` prints."""

from __future__ import annotations

from datetime import date


def chart_title(plan_name: str, days: int, last_day: date) -> str:
    return f"{plan_name} · burn-up over the last {days} days, to {last_day:%Y-%m-%d}"


def chart_overall() -> str:
    return "Whole plan"


def chart_phase(phase_id: str, title: str) -> str:
    return f"{phase_id.upper()} · {title}"


def chart_measured() -> str:
    return "measured by a check"


def chart_attested() -> str:
    return "attested by a person (hatched)"


def chart_no_history() -> str:
    return "no history yet"


def chart_comment(days: int) -> str:
    return (f"Burn-up: each phase's measured % at the end of each of the last {days} days; "
            "the hatched band is the share attested by a person rather than measured.")


def chart_failed(code: str) -> str:
    return f"The burn-up chart could not be shared ({code}); the digest above is complete."


def chart_written(path: str, days: int) -> str:
    return f"wrote {path}: the burn-up over the last {days} days"


def no_store(path: str) -> str:
    return f"no store at {path} (CARBON_DB): the chart is drawn from the task history a running Carbon keeps there"


def chart_not_written(path: str, reason: str) -> str:
    return f"cannot write {path}: {reason}"
