"""What the view keeps of a workload must still answer images_from_registry: its pod template's images, init
containers included, for every kind the check reads."""

from __future__ import annotations

import pytest

from bot.checks.pods import TEMPLATE_KINDS
from bot.cluster.view import VIEW_KINDS
from bot.snapshot.objects import containers
from bot.snapshot.trim import trimmer


@pytest.mark.parametrize("plural", [plural for plural, _ in TEMPLATE_KINDS])
def test_the_view_follows_and_keeps_the_template_images_of_every_kind_the_check_reads(plural: str) -> None:
    assert plural in VIEW_KINDS
    workload = {"metadata": {"name": "web", "namespace": "apps", "managedFields": [{"manager": "kubectl"}]},
                "spec": {"template": {"spec": {"containers": [{"name": "app", "image": "harbor.example.com/web:1",
                                                               "env": [{"name": "MODE", "value": "x"}]}],
                                               "initContainers": [{"name": "setup", "image": "busybox:1.36"}]}}}}
    kept = trimmer(b"k" * 32)(plural, workload)
    assert [c["image"] for c in containers(kept["spec"]["template"])] == ["harbor.example.com/web:1", "busybox:1.36"]
