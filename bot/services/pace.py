"""How often one person may use the subcommands that post to the channel or record something: a sliding
window per user per subcommand, in this process's memory (a restart forgets it; so does another replica,
which is fine for a limit meant to stop a flood, not to count exactly).

The limits are constants, documented in README ("Authorization and input"). Memory stays bounded: at most
MAX_KEYS (user, subcommand) pairs, expired ones dropped first, then the least recently used.
"""

from __future__ import annotations

import threading
from collections import OrderedDict, deque
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Limit:
    count: int
    window_s: int


# `run` posts an approval request; `digest` posts the whole digest to the channel; `attest` records a vouch.
LIMITS: dict[str, Limit] = {"run": Limit(5, 600), "digest": Limit(2, 600), "attest": Limit(10, 600)}
MAX_KEYS = 10_000


class Pace:
    def __init__(self, limits: dict[str, Limit] | None = None, max_keys: int = MAX_KEYS) -> None:
        self.limits = dict(LIMITS if limits is None else limits)
        self.max_keys = max_keys
        self._seen: OrderedDict[tuple[str, str], deque[datetime]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        """How many (user, subcommand) pairs are remembered."""
        return len(self._seen)

    def wait_s(self, user: str, subcommand: str, now: datetime) -> int:
        """0 and counted when the user may go on; else the seconds until they may (nothing counted)."""
        limit = self.limits.get(subcommand)
        if limit is None:
            return 0
        window = timedelta(seconds=limit.window_s)
        with self._lock:
            stamps = self._seen.pop((user, subcommand), None) or deque(maxlen=limit.count)
            while stamps and now - stamps[0] >= window:
                stamps.popleft()
            self._seen[(user, subcommand)] = stamps
            if len(stamps) >= limit.count:
                return max(1, int((stamps[0] + window - now).total_seconds() + 0.999))
            stamps.append(now)
            self._trim(now)
            return 0

    def _trim(self, now: datetime) -> None:
        if len(self._seen) <= self.max_keys:
            return
        for key, stamps in list(self._seen.items()):
            window = timedelta(seconds=self.limits[key[1]].window_s)
            if not stamps or now - stamps[-1] >= window:
                del self._seen[key]
        while len(self._seen) > self.max_keys:
            self._seen.popitem(last=False)
