"""`carbon serve` as an operator runs it: idle memory, first and repeated `/carbon status` end to end, then a
`/carbon digest` (which draws the burn-up chart: matplotlib loads only then).

A 5,000-pod emulated cluster and the fake Slack run in this process; `carbon serve` (HTTP mode) is a child
process. Times are from sending the signed slash command to the dashboard arriving at the response URL;
RSS is the child's (VmRSS / VmHWM from /proc). Run: `.venv/bin/python bench/serve.py [--pods N]`.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from bench.ack import free_port, wait_healthy
from bot.local.demo.seed import platform_objects
from bot.local.emulator import KubeEmulator
from bot.local.fakeslack import FakeSlack
from bot.local.signed_requests import SignedRequests


def rss_mib(pid: int) -> tuple[float, float]:
    """(current, peak) resident memory of a process in MiB."""
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def loaded(pid: int, package: str) -> bool:
    """Whether a package's compiled modules are mapped into the process (matplotlib's are, from its first import)."""
    return f"/{package}/" in Path(f"/proc/{pid}/maps").read_text()


def digest_round_trip(url: str, signer: SignedRequests, slack: FakeSlack) -> float:
    body, headers = signer.slash("digest", user_id="U0BENCH")
    seen, started = len(slack.calls), time.perf_counter()
    request = urllib.request.Request(f"{url}/slack/events", data=body.encode(), headers=headers, method="POST")
    with urllib.request.urlopen(request, timeout=10) as response:
        response.read()
    slack.wait_for(lambda c: c.method == "files.completeUploadExternal", timeout=120, start=seen)
    return time.perf_counter() - started


def status_round_trip(url: str, signer: SignedRequests, slack: FakeSlack) -> float:
    body, headers = signer.slash("status", user_id="U0BENCH")
    tag = signer.last_tag
    started = time.perf_counter()
    request = urllib.request.Request(f"{url}/slack/events", data=body.encode(), headers=headers, method="POST")
    with urllib.request.urlopen(request, timeout=10) as response:
        response.read()
    slack.wait_for(lambda c: c.method == "response_url" and c.tag == tag, timeout=120)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pods", type=int, default=5000)
    parser.add_argument("--cache-s", type=float, default=5.0)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="carbon-bench-"))
    with KubeEmulator() as kube, FakeSlack() as slack:
        kube.add_all(platform_objects(extra_pods=args.pods))
        secret, port = secrets.token_hex(16), free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "CARBON_", "VAULT_"))}
        env.update(SLACK_BOT_TOKEN="xoxb-bench", SLACK_SIGNING_SECRET=secret, SLACK_API_URL=slack.api_url,
                   CARBON_CHANNEL="C0BENCH", CARBON_HTTP_PORT=str(port), CARBON_DB=str(workdir / "carbon.db"),
                   KUBECONFIG=str(kube.write_kubeconfig(workdir / "kubeconfig")), CARBON_STATUS_CACHE_S=str(args.cache_s))
        with open(workdir / "serve.log", "w") as log:
            server = subprocess.Popen([sys.executable, "-m", "bot", "serve"], env=env, cwd=workdir,
                                      stdout=subprocess.DEVNULL, stderr=log)
        try:
            url = f"http://127.0.0.1:{port}"
            wait_healthy(url)
            time.sleep(2)  # let start-up work (lease, first risk scan) settle before reading idle memory
            idle, _ = rss_mib(server.pid)
            idle_matplotlib = loaded(server.pid, "matplotlib")
            signer = SignedRequests(secret, slack.response_url)
            kube.reset_requests()
            first = status_round_trip(url, signer, slack)
            listed = sorted({r.path.rsplit("/", 1)[-1] for r in kube.requests if r.method == "GET"})
            repeated = [status_round_trip(url, signer, slack) for _ in range(5)]
            now, peak = rss_mib(server.pid)
            digest = digest_round_trip(url, signer, slack)
            after_digest, digest_peak = rss_mib(server.pid)
            digest_matplotlib = loaded(server.pid, "matplotlib")
        finally:
            server.terminate()
            server.wait(timeout=20)
    print(f"pods={args.pods} status cache={args.cache_s:g}s")
    print(f"idle RSS after start: {idle:.0f} MiB (matplotlib loaded: {'yes' if idle_matplotlib else 'no'})")
    print(f"first /carbon status, request to dashboard posted: {first * 1000:.0f} ms")
    print(f"repeated /carbon status (within the cache window): median {sorted(repeated)[2] * 1000:.0f} ms, "
          f"max {max(repeated) * 1000:.0f} ms")
    print(f"RSS after: {now:.0f} MiB, peak {peak:.0f} MiB")
    print(f"/carbon digest with its chart: {digest * 1000:.0f} ms; RSS after {after_digest:.0f} MiB, peak {digest_peak:.0f} MiB "
          f"(matplotlib loaded: {'yes' if digest_matplotlib else 'no'})")
    print(f"kinds listed by the status: {', '.join(listed)}")
    if shutil.which("kubectl"):
        with KubeEmulator() as kube:
            kube.add_all(platform_objects(extra_pods=args.pods))
            config = kube.write_kubeconfig(workdir / "kubeconfig-kubectl")
            started = time.perf_counter()
            subprocess.run(["kubectl", "--kubeconfig", str(config), "get", ",".join(listed), "-A", "-o", "json"],
                           check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            print(f"kubectl get (same kinds, -A -o json) against the same emulated cluster: "
                  f"{(time.perf_counter() - started) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
