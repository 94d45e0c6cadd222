"""`carbon chart --out FILE`: the digest's burn-up chart from the store and the plan, in a terminal."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot import messages
from bot.progress.burnup import DAYS
from bot.render.chart import HEIGHT, WIDTH
from bot.store.store import Store
from tests.fixtures.png import png_size
from tests.scenarios.test_cli import run_carbon


def test_chart_writes_a_png_from_the_stores_history(tmp_path: Path) -> None:
    db = tmp_path / "carbon.db"
    store = Store(db)
    now = datetime.now(UTC)
    for task_id, days_ago, state, fraction in (("cluster-health", 12, "failing", 0.0), ("cluster-health", 3, "done", 1.0),
                                               ("restore-services", 8, "partial", 0.5)):
        store.execute("INSERT INTO task_history (task_id, at, state, fraction) VALUES (?, ?, ?, ?)",
                      (task_id, (now - timedelta(days=days_ago)).isoformat(), state, fraction))
    store.close()
    out = tmp_path / "burnup.png"
    result = run_carbon(["chart", "--out", str(out)], tmp_path, CARBON_DB=str(db))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == messages.chart_written(str(out), DAYS)
    assert png_size(out.read_bytes()) == (WIDTH, HEIGHT)


def test_chart_without_a_store_says_so_and_creates_none(tmp_path: Path) -> None:
    result = run_carbon(["chart", "--out", str(tmp_path / "c.png")], tmp_path, CARBON_DB=str(tmp_path / "none.db"))
    assert result.returncode == 2
    assert result.stderr.strip() == f"carbon: {messages.no_store(str(tmp_path / 'none.db'))}"
    assert not (tmp_path / "none.db").exists() and not (tmp_path / "c.png").exists()


def test_chart_into_a_missing_folder_is_one_line(tmp_path: Path) -> None:
    Store(tmp_path / "carbon.db").close()
    out = tmp_path / "no" / "c.png"
    result = run_carbon(["chart", "--out", str(out)], tmp_path, CARBON_DB=str(tmp_path / "carbon.db"))
    assert result.returncode == 2
    assert result.stderr.strip() == f"carbon: {messages.chart_not_written(str(out), 'No such file or directory')}"
