"""The one small interface every journal backend implements.

The contract (tests/server/test_journal_contract.py runs it against every backend):
- ids are positive integers, strictly increasing across the whole mall, never reused;
- `append` is compare-and-append: it writes all events or none, and only when the
  journal's last id is still `expected_last_id`; otherwise it raises `JournalConflict`;
  the request's idempotency `key`, if any, is kept with every record it wrote;
- once `append` returns, the events are durable;
- `read(day, since_id)` returns that day's records after `since_id`, in id order;
- `read_after(since_id, limit)` returns the next records after `since_id` of any day, in id order;
- `subscribe(since_id)` yields every record after `since_id`, history first, then live, in
  order, each once: appended through any handle when the backend is `shared` (Redis, many
  processes), through this handle when it is not (SQLite, one process).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Sequence
from datetime import date

from ticketing.events import Event, Recorded


class JournalError(Exception):
    """The journal cannot be used (corrupt, locked, another mall's file...): the message says what to do."""


class JournalConflict(Exception):
    """Someone appended first: catch up and decide again."""

    def __init__(self, last_id: int) -> None:
        super().__init__(f"journal moved on to id {last_id}")
        self.last_id = last_id


class Journal(ABC):
    mall_id: str
    shared: bool = False  # True when several server processes may append to the same journal

    async def start(self) -> None:  # noqa: B027 - optional hook
        """Open connections; raise JournalError with a clear message when the journal is unusable."""

    async def stop(self) -> None:  # noqa: B027 - optional hook
        """Close connections."""

    @abstractmethod
    async def last_id(self) -> int: ...

    @abstractmethod
    async def append(
        self, day: date, events: Sequence[Event], expected_last_id: int, key: str | None = None
    ) -> list[Recorded]: ...

    @abstractmethod
    async def read(self, day: date, since_id: int = 0) -> list[Recorded]: ...

    @abstractmethod
    async def read_after(self, since_id: int, limit: int = 1000) -> list[Recorded]: ...

    @abstractmethod
    def subscribe(self, since_id: int) -> AsyncIterator[Recorded]: ...
