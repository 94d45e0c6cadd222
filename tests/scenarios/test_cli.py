"""The command line as an operator meets it: one clear line and a non-zero exit on bad setup."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot import messages
from bot.settings import BUNDLED_PLAN

ROOT = Path(__file__).resolve().parents[2]


def run_carbon(args: list[str], tmp_path: Path, stdin: str = "", **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "CARBON_", "VAULT_", "KUBECONFIG"))}
    clean.update(env)
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=tmp_path, env=clean, input=stdin,
                          capture_output=True, text=True, timeout=120)


def test_serve_without_bot_token_exits_nonzero_naming_it(tmp_path: Path) -> None:
    result = run_carbon(["serve"], tmp_path)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "SLACK_BOT_TOKEN" in lines[0]


def test_serve_http_mode_without_signing_secret_names_it(tmp_path: Path) -> None:
    result = run_carbon(["serve"], tmp_path, SLACK_BOT_TOKEN="xoxb-1")
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        "carbon: SLACK_SIGNING_SECRET is not set: HTTP mode needs it (or set SLACK_APP_TOKEN for Socket Mode)"
    ]


@pytest.mark.parametrize(("variable", "value"), [
    ("CARBON_DIGEST_CRON", "every morning"), ("CARBON_TIMEZONE", "Mars/Olympus"), ("CARBON_CHANNEL", "#platform"),
    ("CARBON_APPROVERS", "bob"), ("CARBON_HTTP_PORT", "http"), ("SLACK_BOT_TOKEN", "xoxp-user-token"),
])
def test_malformed_setting_is_refused_with_one_line_naming_it(tmp_path: Path, variable: str, value: str) -> None:
    result = run_carbon(["serve"], tmp_path, **{variable: value})
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and variable in lines[0], lines
    assert value not in lines[0] or variable != "SLACK_BOT_TOKEN", "a token value was echoed"


def test_env_file_in_working_folder_is_read(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("CARBON_TIMEZONE=Nowhere/Land\n")
    result = run_carbon(["check"], tmp_path)
    assert result.returncode == 2 and "CARBON_TIMEZONE" in result.stderr


def test_bad_plan_file_lists_every_problem_with_its_path(tmp_path: Path) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text(BUNDLED_PLAN.read_text().replace("kind: pods_ready", "kind: pod_ready", 1))
    result = run_carbon(["check"], tmp_path, CARBON_PLAN=str(plan))
    assert result.returncode == 1
    assert "phases[0].tasks[0].check.kind: unknown kind 'pod_ready'; known: " in result.stdout


def test_check_reports_one_line_per_problem(tmp_path: Path) -> None:
    result = run_carbon(["check"], tmp_path)
    assert result.returncode == 1
    lines = result.stdout.strip().splitlines()
    assert any(line.startswith("SLACK_BOT_TOKEN is not set") for line in lines)
    assert any(line.startswith("cluster: ") for line in lines)
    assert f"vault: {messages.vault_not_configured()}" in lines


def test_console_demo_shows_status_and_stops_on_exit(tmp_path: Path) -> None:
    result = run_carbon(["console", "--demo"], tmp_path, stdin="/carbon status\n/carbon status p1\nexit\n")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "254Carbon production readiness:" in out
    assert "P1 · Infrastructure Stabilization" in out
    assert "8/8 pods healthy" in out
    assert "initialized and unsealed" in out


def test_console_demo_runs_a_migration_behind_two_approvals(tmp_path: Path) -> None:
    script = ("/carbon run secrets-migration\n/carbon run vault-kubernetes-auth\nclick 2 as U0BOB\n"
              "/carbon run secrets-migration\nview plan 7\nclick 8\nclick 8 as U0BOB\nclick 8 as U0CAROL\n"
              "/carbon runs\nexit\n")
    result = run_carbon(["console", "--demo"], tmp_path, stdin=script)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert messages.needs_not_done("secrets-migration", ["vault-kubernetes-auth"],
                                  ("run", "vault-kubernetes-auth")) in out
    assert "[1] View full plan" in out and "[2] Approve  [3] Reject" in out
    assert "[7] View full plan" in out and "[8] Approve  [9] Reject" in out
    assert "writes 9 Vault keys" in out and "Impact" in out and "Cannot be undone (9)" in out
    assert "[modal] Credentials moved" in out and "page 1/1 · 36 change(s)" in out
    run_id = re.search(r"Run (r-[0-9a-f]+): Credentials", out)
    assert run_id is not None, out
    assert messages.own_run(run_id[1]) in out  # U0ALICE requested it
    assert "approvals 1/2" in out
    assert "succeeded" in out and "remove-key configmap data-platform/superset-config#DATABASE_PASSWORD" in out
    assert "demo-superset-db-pass" not in out + result.stderr
