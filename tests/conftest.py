"""Fixtures live in tests/fixtures/ as plugins: the fake Slack, OpenBao, the emulated cluster, the bot."""

pytest_plugins = ["tests.fixtures.slack", "tests.fixtures.vault", "tests.fixtures.kube", "tests.fixtures.bot",
                  "tests.fixtures.prometheus"]
