"""Figures for a risk scan and a digest over the demo platform with N extra pods (default 5,000).

Prints wall time and the number of API requests: each rule reads the one snapshot, so requests do not
grow with pods or namespaces. Run: `.venv/bin/python bench/risks.py [pods]`.
"""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime

from bot.cluster.gateway import ClusterGateway
from bot.local.demo.seed import platform_objects
from bot.local.emulator import KubeEmulator
from bot.risks import scan
from bot.snapshot.snapshot import Snapshot


def main(pods: int) -> None:
    with KubeEmulator() as kube:
        kube.add_all(platform_objects(extra_pods=pods))
        kube.reset_requests()
        gateway = ClusterGateway(kube.api_client())
        started = time.perf_counter()
        findings = scan(Snapshot(gateway, None, datetime.now(UTC)), datetime.now(UTC))
        elapsed = time.perf_counter() - started
        print(f"risk scan over {pods} extra pods: {elapsed:.2f}s, {len(kube.requests)} API requests, "
              f"{len(findings)} findings")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5000)
