"""`carbon serve` with its watch-fed view, at 100 / 1,000 / 5,000 / 20,000 extra pods: the figures of issue 13.

Per size: the emulated cluster (demo platform + N pods, bench/status.py's emulator child) in a process of its own,
the fake Slack in this process, `carbon serve` (HTTP mode) as a child process, started twice:

1. cold start: the first signed `/carbon status` is sent as soon as /healthz answers; timed from the request (and
   from the spawn) to the dashboard at the response URL, so it includes the view's initial lists. Then, once every
   kind has synced (/metrics `carbon_view_synced`): idle RSS; 20 warm statuses one after another (median, p99 =
   the slowest of 20); staleness (a pod's Ready condition flipped in the emulator, then `/carbon status p1` sent
   until the cluster-health line shows it: seconds from the flip to that answer, max over the flips); ack p50/p99
   of rounds of 20 concurrent signed commands (bench/ack.py); peak RSS (VmHWM) at the end.
2. ack while syncing: a fresh `carbon serve`; the rounds start as soon as it answers /healthz.

`CARBON_STATUS_CACHE_S=0` by default, so every status is measured from the view (what a busy cluster, whose view
changes between two statuses, gets); `--cache-s 5` shows the quiet-cluster case. kubectl: `kubectl get <the kinds
carbon read> -A -o json` against the same emulator. Bytes per pod: idle RSS above the smallest size's, divided by
the extra pods. Prints figures, asserts nothing; every wait is bounded. Loopback only.

    .venv/bin/python bench/view.py                 # 100 1000 5000 20000
    .venv/bin/python bench/view.py 5000 --flips 5
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.ack import (  # noqa: E402
    Serve,
    ack_rounds,
    p99,
    start_emulator,
    start_serve,
    stop_emulator,
    view_synced,
    wait_healthy,
    wait_synced,
)
from bench.serve import rss_mib  # noqa: E402
from bot.cluster.resources import RESOURCES  # noqa: E402
from bot.local.fakeslack import FakeSlack  # noqa: E402

SIZES = (100, 1000, 5000, 20000)
HEALTHY = re.compile(r"(\d+)/(\d+) pods healthy \(")  # the cluster-health task (min_ratio < 1) in `status p1`
FLIPPED = ("tenant-000", "worker-00000")  # bench pods start Ready; the first one is flipped back and forth


def status(serve: Serve, slack: FakeSlack, text: str = "status", timeout: float = 120) -> tuple[float, str]:
    """A signed slash command to the dashboard at its response URL: (seconds, what the dashboard says)."""
    body, headers = serve.signer.slash(text, user_id="U0BENCH")
    tag = serve.signer.last_tag
    started = time.perf_counter()
    request = urllib.request.Request(f"{serve.url}/slack/events", data=body.encode(), headers=headers, method="POST")
    with urllib.request.urlopen(request, timeout=30) as response:
        response.read()
    call = slack.wait_for(lambda c: c.method == "response_url" and c.tag == tag, timeout=timeout)
    return time.perf_counter() - started, json.dumps(call.params, ensure_ascii=False)


def healthy_pods(serve: Serve, slack: FakeSlack) -> int:
    _, shown = status(serve, slack, "status p1")
    found = HEALTHY.search(shown)
    assert found, "status p1 shows no cluster-health line"
    return int(found.group(1))


def staleness(serve: Serve, slack: FakeSlack, emulator: subprocess.Popen[str], flips: int,
              bound_s: float = 30.0) -> list[float]:
    """Seconds from each readiness flip to the first status that reflects it (bounded; inf when never seen)."""
    assert emulator.stdin is not None and emulator.stdout is not None
    found: list[float] = []
    healthy = healthy_pods(serve, slack)
    for _ in range(flips):
        started = time.perf_counter()
        emulator.stdin.write(f"flip {FLIPPED[0]} {FLIPPED[1]}\n")
        emulator.stdin.flush()
        expected = healthy + (1 if emulator.stdout.readline().strip() == "True" else -1)
        while (healthy := healthy_pods(serve, slack)) != expected:
            if time.perf_counter() - started > bound_s:
                found.append(float("inf"))
                break
        else:
            found.append(time.perf_counter() - started)
        healthy = expected
        time.sleep(0.3)
    return found


def kubectl_s(kubeconfig: Path, kinds: list[str]) -> float | None:
    if not shutil.which("kubectl"):
        return None
    started = time.perf_counter()
    subprocess.run(["kubectl", "--kubeconfig", str(kubeconfig), "get", ",".join(kinds), "-A", "-o", "json"],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=300)
    return time.perf_counter() - started


def measure(pods: int, args: argparse.Namespace) -> dict[str, Any]:
    workdir = Path(tempfile.mkdtemp(prefix="carbon-bench-view-"))
    seeding = time.perf_counter()
    emulator, kubeconfig = start_emulator(pods, workdir)
    row: dict[str, Any] = {"pods": pods, "seed_s": time.perf_counter() - seeding}
    env = {"CARBON_STATUS_CACHE_S": str(args.cache_s)}
    try:
        with FakeSlack() as slack:
            serve = start_serve(slack, kubeconfig, workdir, **env)
            try:
                wait_healthy(serve.url)
                first, _ = status(serve, slack)
                row["first_s"] = first
                row["spawn_to_first_s"] = time.perf_counter() - serve.started
                row["synced"] = wait_synced(serve.url, timeout=args.sync_bound_s)
                row["spawn_to_synced_s"] = time.perf_counter() - serve.started
                time.sleep(1.0)
                row["idle_mib"] = rss_mib(serve.process.pid)[0]
                warm = sorted(status(serve, slack)[0] for _ in range(args.warm))
                row["warm_median_s"], row["warm_p99_s"] = statistics.median(warm), p99(warm)
                row["stale_s"] = staleness(serve, slack, emulator, args.flips)
                acks = ack_rounds(serve.url, serve.signer, args.rounds, args.concurrency)
                row["ack_warm"] = (statistics.median(acks), p99(acks))
                time.sleep(1.0)  # the measurements the acks started
                row["now_mib"], row["peak_mib"] = rss_mib(serve.process.pid)
            finally:
                row["stop_s"] = serve.stop()
            serve = start_serve(slack, kubeconfig, workdir, **env)
            try:
                wait_healthy(serve.url)
                row["syncing_when_acks_began"] = not all(view_synced(serve.url).values())
                acks = ack_rounds(serve.url, serve.signer, args.rounds, args.concurrency)
                row["ack_syncing"] = (statistics.median(acks), p99(acks))
            finally:
                serve.stop()
        assert emulator.stdin is not None and emulator.stdout is not None
        emulator.stdin.write("kinds\n")
        emulator.stdin.flush()
        kinds = [k for k in json.loads(emulator.stdout.readline()) if k in RESOURCES and k != "leases"]
        row["kinds"] = kinds
        row["kubectl_s"] = kubectl_s(kubeconfig, kinds) if args.kubectl else None
    finally:
        stop_emulator(emulator)
    return row



def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("sizes", type=int, nargs="*", default=list(SIZES))
    parser.add_argument("--cache-s", type=float, default=0.0)
    parser.add_argument("--warm", type=int, default=20)
    parser.add_argument("--flips", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--sync-bound-s", type=float, default=180.0)
    parser.add_argument("--no-kubectl", dest="kubectl", action="store_false")
    args = parser.parse_args()
    rows = []
    for pods in args.sizes:
        row = measure(pods, args)
        rows.append(row)
        print(json.dumps(row), file=sys.stderr, flush=True)
    base = rows[0]
    print(f"CARBON_STATUS_CACHE_S={args.cache_s:g}; kinds: {', '.join(base['kinds'])}")
    print("| extra pods | first status s (from spawn) | synced s after spawn | warm median / p99 ms "
          "| staleness max s | idle / peak RSS MiB | bytes per pod | ack p50 / p99 ms warm | ack p50 / p99 ms syncing "
          "| kubectl get s |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for row in rows:
        per_pod = ((row["idle_mib"] - base["idle_mib"]) * 2**20 / (row["pods"] - base["pods"])
                   if row["pods"] > base["pods"] else None)
        kubectl = f"{row['kubectl_s']:.2f}" if row["kubectl_s"] is not None else "–"
        print(f"| {row['pods']:,} | {row['first_s']:.2f} ({row['spawn_to_first_s']:.2f}) "
              f"| {row['spawn_to_synced_s']:.2f}{'' if row['synced'] else ' (not synced)'} "
              f"| {row['warm_median_s'] * 1000:.0f} / {row['warm_p99_s'] * 1000:.0f} "
              f"| {max(row['stale_s']):.2f} | {row['idle_mib']:.0f} / {row['peak_mib']:.0f} "
              f"| {f'{per_pod:,.0f}' if per_pod is not None else '–'} "
              f"| {row['ack_warm'][0] * 1000:.0f} / {row['ack_warm'][1] * 1000:.0f} "
              f"| {row['ack_syncing'][0] * 1000:.0f} / {row['ack_syncing'][1] * 1000:.0f}"
              f"{'' if row['syncing_when_acks_began'] else ' (already synced)'} | {kubectl} |", flush=True)


if __name__ == "__main__":
    main()
