"""Acknowledgement latency of `carbon serve` (HTTP mode) under 20 concurrent signed `/carbon status`.

Starts a 5,000-pod emulated cluster in a process of its own (bench/status.py's emulator child, so its JSON
encoding does not hold this process's GIL while requests are timed), a fake Slack Web API in this process,
`carbon serve` as a child process pointed at them, then fires rounds of 20 concurrent signed slash commands and times each HTTP
answer (the ack). The ack must not wait for the cluster: the status itself is answered later through
the response URL. Prints p50/p99/max; run with `.venv/bin/python bench/ack.py [--pods N] [--rounds R]`.
"""

from __future__ import annotations

import argparse
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bot.local.fakeslack import FakeSlack
from bot.local.signed_requests import SignedRequests


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_healthy(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("carbon serve did not become healthy")


def one_request(url: str, signer: SignedRequests) -> float:
    body, headers = signer.slash("status", user_id="U0BENCH")
    request = urllib.request.Request(f"{url}/slack/events", data=body.encode(), headers=headers, method="POST")
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=30) as response:
        response.read()
        assert response.status == 200
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pods", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--concurrency", type=int, default=20)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="carbon-bench-"))
    kubeconfig = workdir / "kubeconfig"
    emulator = subprocess.Popen([sys.executable, str(Path(__file__).with_name("status.py")), "--serve", str(args.pods),
                                 str(kubeconfig)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert emulator.stdout is not None and emulator.stdin is not None
    emulator.stdout.readline()  # seeded, kubeconfig written
    with FakeSlack() as slack:
        secret = secrets.token_hex(16)
        port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "CARBON_", "VAULT_"))}
        env.update(SLACK_BOT_TOKEN="xoxb-bench", SLACK_SIGNING_SECRET=secret, SLACK_API_URL=slack.api_url,
                   CARBON_CHANNEL="C0BENCH", CARBON_HTTP_PORT=str(port), CARBON_DB=str(workdir / "carbon.db"),
                   KUBECONFIG=str(kubeconfig))
        server = subprocess.Popen([sys.executable, "-m", "bot", "serve"], env=env, cwd=workdir,
                                  stdout=subprocess.DEVNULL, stderr=open(workdir / "serve.log", "w"))  # noqa: SIM115
        try:
            url = f"http://127.0.0.1:{port}"
            wait_healthy(url)
            signer = SignedRequests(secret, slack.response_url)
            latencies: list[float] = []
            with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
                for _ in range(args.rounds):
                    latencies += pool.map(lambda _: one_request(url, signer), range(args.concurrency))
                    time.sleep(0.5)
            answered = len(slack.calls_to("response_url"))
        finally:
            server.terminate()
            server.wait(timeout=20)
            emulator.stdin.write("quit\n")
            emulator.stdin.close()
            emulator.wait(timeout=20)
    latencies.sort()
    p99 = latencies[max(0, round(0.99 * len(latencies)) - 1)]
    print(f"pods={args.pods} requests={len(latencies)} concurrency={args.concurrency}")
    print(f"ack p50={statistics.median(latencies) * 1000:.1f} ms  p99={p99 * 1000:.1f} ms  "
          f"max={latencies[-1] * 1000:.1f} ms")
    print(f"status answers posted to response_url while measuring: {answered}")


if __name__ == "__main__":
    main()
