"""The run domain and the actions import no client library: only gateways talk to Slack, Kubernetes and Vault."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = ["bot/runs.py", "bot/approvals.py", "bot/executor.py", "bot/run_flow.py", "bot/render_runs.py",
          *[str(p.relative_to(ROOT)) for p in (ROOT / "bot/actions").glob("*.py")], "jobs/expire_runs.py"]
CLIENTS = ("slack_sdk", "slack_bolt", "kubernetes", "hvac")


def imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def test_domain_modules_import_no_client_library() -> None:
    offenders = {module: sorted(name for name in imports(ROOT / module) if name.split(".")[0] in CLIENTS)
                 for module in DOMAIN}
    assert {m: names for m, names in offenders.items() if names} == {}
