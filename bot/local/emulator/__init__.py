"""An emulated Kubernetes API server on loopback, driven by the real `kubernetes` client.

Used by the test suite and by `carbon console --demo`; see `KubeEmulator` for the interface.
"""

from bot.local.emulator.emulator import KubeEmulator
from bot.local.emulator.recording import RecordedRequest

__all__ = ["KubeEmulator", "RecordedRequest"]
