"""The layers of ARCHITECTURE.md, checked: only gateways and wiring import the client libraries, and the
commands and jobs reach the cluster and Vault only through the domain."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Who may import each client library: its gateway, the wiring that builds clients, and the local test doubles.
ALLOWED = {
    "kubernetes": {"bot/cluster/gateway.py", "bot/services.py", "bot/demo/platform.py", "bot/emulator/emulator.py"},
    "hvac": {"bot/vault.py", "bot/services.py", "bot/demo/platform.py", "bot/demo/seed.py", "bot/demo/openbao.py"},
    "slack_sdk": {"bot/app.py", "bot/slack_client.py", "bot/slack_gateway.py", "bot/slack_notifier.py", "bot/runtime.py",
                  "bot/slack_http.py", "commands/*"},
    "slack_bolt": {"bot/app.py", "bot/http_server.py", "bot/slack_http.py", "bot/console.py", "bot/runtime.py",
                   "commands/*"},
}
GATEWAYS = ("bot.cluster.gateway", "bot.vault")


def imported(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def sources() -> list[Path]:
    return sorted(p for top in ("bot", "commands", "jobs") for p in (ROOT / top).rglob("*.py"))


def allowed(library: str, module: str) -> bool:
    return any(module == a or (a.endswith("/*") and module.startswith(a[:-1])) for a in ALLOWED[library])


def test_only_gateways_and_wiring_import_client_libraries() -> None:
    offenders = sorted(
        f"{path.relative_to(ROOT)} imports {name}"
        for path in sources() for name in imported(path)
        if name.split(".")[0] in ALLOWED and not allowed(name.split(".")[0], str(path.relative_to(ROOT)))
    )
    assert offenders == []


def test_commands_and_jobs_do_not_reach_past_the_domain() -> None:
    offenders = sorted(
        f"{path.relative_to(ROOT)} imports {name}"
        for path in sources() if path.relative_to(ROOT).parts[0] in ("commands", "jobs")
        for name in imported(path) if name in GATEWAYS
    )
    assert offenders == []
