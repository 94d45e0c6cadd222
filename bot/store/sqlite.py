"""sqlite_utils, imported without numpy.

sqlite_utils imports numpy whenever it is installed, only to map numpy scalar types to column types. Carbon never
stores a numpy value, yet numpy is installed (matplotlib needs it, in the digest chart's child process), and loading
it would cost the long-running bot about 12 MiB of its memory budget (README "Performance"). So numpy is hidden
while sqlite_utils imports, and only then: a later `import numpy` (a process that draws a chart) works as usual.
"""

from __future__ import annotations

import sys

_hide_numpy = "numpy" not in sys.modules
if _hide_numpy:
    sys.modules["numpy"] = None  # type: ignore[assignment]  # `import numpy` raises ImportError, which sqlite_utils expects
try:
    import sqlite_utils
    from sqlite_utils.migrations import Migrations
finally:
    if _hide_numpy:
        del sys.modules["numpy"]

__all__ = ["Migrations", "sqlite_utils"]
