"""The check-kind examples in README's plan-format section load as a plan: the docs cannot drift from the models."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from bot.checks import default_registry
from bot.plan.loader import load_plan

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()


def test_check_kind_examples_load(tmp_path: Path) -> None:
    block = next(b for b in re.findall(r"```yaml\n(.*?)```", README, re.S) if "- id: tls-certificates" in b)
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump({"name": "readme", "phases": [{"id": "p1", "title": "t", "tasks": yaml.safe_load(block)}]}))
    plan = load_plan(path, default_registry())
    kinds = {task.check.kind for task in plan.tasks()}
    assert {"secrets_in_vault", "network_policies", "rbac", "nodes_ready", "replicas", "crd_objects",
            "prometheus_query", "manual"} <= kinds
