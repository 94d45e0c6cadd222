"""Three levels: unit/ (plain data, no servers), gateways/ (real clients against OpenBao, the emulated Kubernetes API,
the fake Slack), scenarios/ (signed requests to the Bolt app, end to end). Fixtures all levels share live in
tests/fixtures/ as plugins: the fake Slack, OpenBao, the emulated cluster, the bot."""

pytest_plugins = ["tests.fixtures.slack", "tests.fixtures.vault", "tests.fixtures.kube", "tests.fixtures.bot",
                  "tests.fixtures.prometheus", "tests.fixtures.postgres"]


def pytest_addoption(parser):  # type: ignore[no-untyped-def]
    parser.addoption("--update-golden", action="store_true", help="rewrite tests/golden/*.json from the renderers")
