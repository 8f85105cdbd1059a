"""Per-kiosk issuing limit: a stuck button or a prankster cannot empty a day's quota.

Kept in the process's memory: with several server processes each applies it on its own.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable

from litestar.exceptions import TooManyRequestsException

WINDOW_SECONDS = 60.0


class KioskRateLimit:
    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self.clock = clock
        self._issued: dict[str, deque[float]] = {}

    def check(self, kiosk_id: str) -> None:
        """Count one ticket for this kiosk, or refuse with 429 when it has issued its minute's worth."""
        now = self.clock()
        recent = self._issued.setdefault(kiosk_id, deque())
        while recent and recent[0] <= now - WINDOW_SECONDS:
            recent.popleft()
        if len(recent) >= self.per_minute:
            wait = math.ceil(recent[0] + WINDOW_SECONDS - now)
            raise TooManyRequestsException(
                detail=f"Terlalu banyak tiket dari anjungan ini. This kiosk issued {self.per_minute} tickets in the "
                f"last minute: please wait {wait} seconds.",
                headers={"Retry-After": str(wait)},
            )
        recent.append(now)
