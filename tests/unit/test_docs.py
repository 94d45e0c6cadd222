"""Docs coverage: every subcommand, CLI command, setting, check kind and action kind is in README.md."""

from __future__ import annotations

from pathlib import Path

from bot.checks import default_registry
from bot.settings import Settings
from commands import default_commands

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()


def test_every_subcommand_is_documented() -> None:
    missing = [name for name in default_commands() if f"`/carbon {name}" not in README]
    assert missing == []


def test_every_setting_is_documented() -> None:
    missing = [str(f.validation_alias) for f in Settings.model_fields.values() if f"`{f.validation_alias}`" not in README]
    assert missing == []


def test_every_check_kind_is_documented() -> None:
    missing = [kind for kind in default_registry().names() if f"| `{kind}` |" not in README]
    assert missing == []


def test_the_two_commands_and_cli_are_documented() -> None:
    for text in ("make run", "make test", "carbon serve", "carbon console", "carbon status", "carbon check",
                 "carbon chart --out"):
        assert text in README


def test_every_action_kind_is_documented() -> None:
    from bot.actions import default_registry as default_actions

    missing = [kind for kind in default_actions().names() if f"| `{kind}` |" not in README]
    assert missing == []
