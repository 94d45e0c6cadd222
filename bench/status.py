"""Measure one full status at 100, 1,000 and 5,000 pods: wall time, Kubernetes API requests, peak RSS.

Prints figures; asserts nothing (speed is not a test). Each size runs in a fresh measuring process, and
the emulated Kubernetes API runs in a process of its own, so the peak RSS is the bot's alone (plan,
snapshot, checks, store), not the emulator's. Vault is a real OpenBao dev server seeded as the demo.

    python bench/status.py            # the table (what README "Performance" shows)
    python bench/status.py 100 2000   # other sizes
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SIZES = (100, 1000, 5000)
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def serve(extra_pods: int, kubeconfig: str) -> None:
    """Child: the emulator seeded with the demo platform (+ extra pods). Commands on stdin: `count` (requests since
    the last count), `kinds` (the plurals read with GET since start), `flip <namespace> <pod>` (toggle the pod's
    Ready condition; answers `True`/`False`, the new state, once stored and sent to watchers); anything else quits."""
    from bot.local.demo.seed import platform_objects
    from bot.local.emulator import KubeEmulator

    with KubeEmulator() as kube:
        objs = platform_objects(extra_pods=extra_pods)
        kube.add_all(objs)
        kube.write_kubeconfig(kubeconfig)
        kube.reset_requests()
        kinds: set[str] = set()
        print(json.dumps({"objects": len(objs)}), flush=True)
        for line in sys.stdin:
            words = line.split()
            if words == ["count"]:
                print(len(kube.requests), flush=True)
                kinds.update(r.path.rsplit("/", 1)[-1] for r in kube.requests if r.method == "GET")
                kube.reset_requests()
            elif words == ["kinds"]:
                kinds.update(r.path.rsplit("/", 1)[-1] for r in kube.requests if r.method == "GET")
                print(json.dumps(sorted(kinds)), flush=True)
            elif words[:1] == ["flip"] and len(words) == 3:
                pod = kube.get("pods", words[2], words[1])
                assert pod is not None, f"no pod {words[1]}/{words[2]}"
                ready = next(c for c in pod["status"]["conditions"] if c["type"] == "Ready")
                ready["status"] = "False" if ready["status"] == "True" else "True"
                kube.add(pod)
                print(ready["status"] == "True", flush=True)
            else:
                return


def measure(extra_pods: int) -> dict[str, float]:
    """Measuring process: one status against the emulator child and OpenBao, in a fresh interpreter."""
    from bot.app.build import build_services, kube_api_client
    from bot.local.demo.openbao import OpenBaoDevServer
    from bot.local.demo.seed import seed_vault
    from bot.settings import load_settings

    with tempfile.TemporaryDirectory() as tmp:
        kubeconfig = str(Path(tmp) / "kubeconfig")
        child = subprocess.Popen([sys.executable, __file__, "--serve", str(extra_pods), kubeconfig],
                                 stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        bao = OpenBaoDevServer().start(timeout=60)
        try:
            assert child.stdout is not None and child.stdin is not None
            objects = json.loads(child.stdout.readline())["objects"]
            seed_vault(bao.client())
            settings = load_settings(KUBECONFIG=kubeconfig, CARBON_DB=str(Path(tmp) / "carbon.db"))
            services = build_services(settings, api_client=kube_api_client(settings), vault=bao.client())
            baseline_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            started = time.perf_counter()
            view = services.meter.measure()
            wall = time.perf_counter() - started
            child.stdin.write("count\n")
            child.stdin.flush()
            requests = int(child.stdout.readline())
            child.stdin.write("quit\n")
            child.stdin.flush()
        finally:
            bao.stop()
            child.wait(timeout=30)
    return {"pods": extra_pods, "objects": objects, "wall_s": wall,
            "requests": requests, "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "before_mib": baseline_kib / 1024, "plan_percent": round(view.fraction * 100)}


def main(sizes: tuple[int, ...]) -> None:
    print("| pods (extra) | objects | wall s (one status) | API requests | peak RSS MiB (RSS before status) |")
    print("| ---: | ---: | ---: | ---: | ---: |")
    for size in sizes:
        out = subprocess.run([sys.executable, __file__, "--measure", str(size)], capture_output=True, text=True,
                             check=True).stdout.strip().splitlines()[-1]
        row = json.loads(out)
        print(f"| {size:,} | {row['objects']:,} | {row['wall_s']:.2f} | {row['requests']} | "
              f"{row['peak_rss_mib']:.0f} ({row['before_mib']:.0f}) |", flush=True)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--serve":
        serve(int(sys.argv[2]), sys.argv[3])
    elif len(sys.argv) > 1 and sys.argv[1] == "--measure":
        print(json.dumps(measure(int(sys.argv[2]))))
    else:
        main(tuple(int(a) for a in sys.argv[1:]) or SIZES)
