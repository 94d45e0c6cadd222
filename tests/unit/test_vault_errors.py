"""Vault's refusals are shown in Vault's own words, on one line, without the values we sent or a password a
statement echoed back."""

from __future__ import annotations

import hvac.exceptions

from bot.vault.gateway import _scrubbed


def test_a_refusal_keeps_vaults_reason_and_loses_every_password() -> None:
    refused = hvac.exceptions.InvalidRequest(errors=[
        "1 error occurred:\n\t* error verifying connection: password authentication failed for user \"app\" "
        "(sent s3cr3t-root)\n\n",
        "failed to execute query: CREATE ROLE \"v-1\" WITH LOGIN PASSWORD 'ZqZqGenerated' VALID UNTIL 'x'"])
    text = _scrubbed(refused, ("s3cr3t-root",))
    assert "s3cr3t-root" not in text and "ZqZqGenerated" not in text
    assert text == ('error verifying connection: password authentication failed for user "app" (sent **********); '
                    "failed to execute query: CREATE ROLE \"v-1\" WITH LOGIN PASSWORD '**********' VALID UNTIL 'x'")
