"""What `carbon serve` loads decides its idle memory (README "Performance"): numpy, installed for the digest chart's
child process, must not ride in with sqlite_utils, and a process that does want numpy still gets it."""

from __future__ import annotations

import subprocess
import sys


def test_carbon_serve_imports_no_numpy_and_numpy_still_imports_after() -> None:
    code = ("import sys, bot.cli, bot.app.serve, bot.store.store, jobs, commands\n"
            "assert 'numpy' not in sys.modules, sorted(m for m in sys.modules if m.startswith('numpy'))[:5]\n"
            "import numpy\n"
            "assert numpy.int64(3) + 1 == 4\n")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)
