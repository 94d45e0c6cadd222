"""Label selectors as the API server reads them, evaluated client-side over one snapshot."""

from __future__ import annotations

import pytest

from bot.snapshot.objects import matches, selector_problem

LABELS = {"app": "harbor", "tier": "db", "canary": ""}


@pytest.mark.parametrize(("selector", "expected"), [
    ("", True), ("app=harbor", True), ("app==harbor", True), ("app!=harbor", False), ("app=other", False),
    ("tier in (db,cache)", True), ("tier notin (db)", False), ("canary", True), ("!canary", False),
    ("missing", False), ("!missing", True), ("app=harbor,tier in (web, db)", True), ("app=harbor,tier=web", False),
])
def test_selector_forms(selector: str, expected: bool) -> None:
    assert matches(LABELS, selector) is expected


def test_malformed_selector_is_explained() -> None:
    assert (selector_problem("app in (x") or "").startswith("cannot read 'app in (x'; expected key=value")
    assert selector_problem("app=harbor,tier in (a,b)") is None
