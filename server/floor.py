"""The floor in a server process: today's state, the compare-and-append loop, the live feed.

Commands are domain functions `decide(state, now) -> events`. The floor appends their events
only if the journal has not moved since the state they were decided on; on conflict it
catches up and decides again, so two counters can never get the same visitor.
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import logging
import secrets
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import msgspec

from server.hub import Hub
from server.journal import Journal, JournalConflict, JournalError
from ticketing import state as st
from ticketing.catalog import Mall
from ticketing.errors import Invalid
from ticketing.estimates import WaitEstimate, estimate_queue
from ticketing.events import Event, Recorded
from ticketing.state import FloorState

Decide = Callable[[FloorState, datetime], list[Event]]
MAX_ATTEMPTS = 50
DAY_CHECK_SECONDS = 30
ESTIMATE_REUSE_S = 2.0
logger = logging.getLogger("antrian.floor")
_encoder = msgspec.json.Encoder()


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_ticket_id() -> str:
    # 128 random bits: ticket ids are capabilities (the status page URL), never guessable.
    return secrets.token_urlsafe(16)


class Floor:
    def __init__(self, mall: Mall, journal: Journal, clock: Callable[[], datetime] = utcnow) -> None:
        self.mall = mall
        self.journal = journal
        self.clock = clock
        self.hub = Hub()
        self._lock = asyncio.Lock()
        self.state: FloorState = st.new_day(mall, mall.service_day(clock()))
        self.base_event_id = 0  # the last id before today's first event
        self.today: list[Recorded] = []
        self._positions: dict[str, tuple[int, dict[str, int]]] = {}
        self._estimates: dict[str, tuple[datetime, list[WaitEstimate], date]] = {}
        # Today's idempotency scopes -> (the full key with its request fingerprint, the records it produced).
        self.keys: dict[str, tuple[str, list[Recorded]]] = {}
        self._changed = asyncio.Event()
        self._tail: asyncio.Task[None] | None = None
        self._day_watch: asyncio.Task[None] | None = None

    async def changed(self) -> None:
        """Wait until the floor changes (any event, or a new day)."""
        await self._changed.wait()

    def _notify(self) -> None:
        event, self._changed = self._changed, asyncio.Event()
        event.set()

    # --- start and catch-up ----------------------------------------------------------

    async def start(self) -> None:
        """Replay today's journal: a restart resumes where the floor was. With a shared journal,
        also follow what other processes append."""
        await self._load_day(self.mall.service_day(self.clock()))
        if self.journal.shared:
            self._tail = asyncio.create_task(self._follow(), name="journal-tail")
        self._day_watch = asyncio.create_task(self._watch_day(), name="day-watch")

    async def stop(self) -> None:
        for task in (self._tail, self._day_watch):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    async def _follow(self) -> None:
        while True:
            try:
                async for record in self.journal.subscribe(self.state.last_event_id):
                    self._accept([record])
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("following the journal failed; retrying")
                await asyncio.sleep(1)

    async def _watch_day(self) -> None:
        """Displays clear at local midnight even when nobody presses anything."""
        while True:
            await asyncio.sleep(DAY_CHECK_SECONDS)
            self.roll_day()

    async def _load_day(self, day: date) -> None:
        last = await self.journal.last_id()
        records = await self.journal.read(day)
        base = records[0].id - 1 if records else last
        self.state = st.replay(self.mall, day, records, base)
        self.state.last_event_id = max(self.state.last_event_id, last)  # other days' ids are never reused
        self.base_event_id = base
        self.today = list(records)
        self.keys = {}
        self._remember_keys(records)
        self._positions.clear()

    def roll_day(self) -> bool:
        """Start a new service day when the mall's local date has changed. Returns True if it did."""
        day = self.mall.service_day(self.clock())
        if day <= self.state.day:  # only forward: another process may already have started the next day
            return False
        self._begin_day(day, self.state.last_event_id)
        return True

    def _begin_day(self, day: date, base_event_id: int) -> None:
        self.state = st.new_day(self.mall, day, base_event_id)
        self.base_event_id = base_event_id
        self.today = []
        self.keys = {}
        self._positions.clear()
        self.hub.publish(self.snapshot_message())
        self._notify()

    async def _catch_up(self) -> None:
        while records := await self.journal.read_after(self.state.last_event_id):
            self._accept(records)

    # --- commands --------------------------------------------------------------------

    async def execute(self, decide: Decide, key: str | None = None, by: str = "") -> list[Recorded]:
        """Decide on the current state and append; retried on conflict. Refusals propagate.

        `key` ("<scope>|<fingerprint of the request>") makes it idempotent: a request whose scope
        already produced records today gets those records back instead of a second effect."""
        async with self._lock:
            for _ in range(MAX_ATTEMPTS):
                self.roll_day()
                if key is not None and (done := self._already_done(key)) is not None:
                    return done
                events = decide(self.state, self.clock())
                if not events:
                    return []
                if by:
                    events = [msgspec.structs.replace(e, by=by) for e in events]
                try:
                    records = await self.journal.append(self.state.day, events, self.state.last_event_id, key)
                except JournalConflict:
                    await self._catch_up()
                    continue
                self._accept(records)
                return records
        raise JournalError("The journal is too busy right now: please try again.")

    def _accept(self, records: list[Recorded]) -> None:
        """Fold in records in id order, whoever appended them; each exactly once."""
        changed = False
        for record in records:
            if record.id <= self.state.last_event_id:
                continue
            if record.day > self.state.day:  # another process began the next day first
                self._begin_day(record.day, record.id - 1)
            if record.day < self.state.day:
                # A late write for a day already over (a process whose clock lags): it stays in that
                # day's journal; today's state only moves past its id.
                self.state.last_event_id = record.id
                continue
            st.apply(self.state, record)
            self.today.append(record)
            self._remember_keys([record])
            self.hub.publish(self.encode(record))
            changed = True
        if changed:
            self._notify()

    def _remember_keys(self, records: list[Recorded]) -> None:
        for record in records:
            if record.key:
                scope = record.key.rpartition("|")[0]
                self.keys.setdefault(scope, (record.key, []))[1].append(record)

    def is_replay(self, key: str | None) -> bool:
        return key is not None and key.rpartition("|")[0] in self.keys

    def _already_done(self, key: str) -> list[Recorded] | None:
        seen = self.keys.get(key.rpartition("|")[0])
        if seen is None:
            return None
        if seen[0] != key:
            raise Invalid(
                "This Idempotency-Key was already used today for a different request: use a new key for a new request."
            )
        return seen[1]

    # --- reads -----------------------------------------------------------------------

    def estimates(self, queue_id: str) -> list[WaitEstimate]:
        """Wait estimates for every place in the queue and for a newcomer (the last one).

        Replaying a long queue costs milliseconds, so a queue's estimates are reused for a couple of
        seconds even if tickets come and go meanwhile (an estimate is minutes wide anyway); without
        that, a busy kiosk pays for a replay on every ticket."""
        now = self.clock()
        cached = self._estimates.get(queue_id)
        if cached is None or abs((now - cached[0]).total_seconds()) > ESTIMATE_REUSE_S or cached[2] != self.state.day:
            cached = (now, estimate_queue(self.state, queue_id, now), self.state.day)
            self._estimates[queue_id] = cached
        return cached[1]

    def estimate(self, queue_id: str, position: int | None = None) -> WaitEstimate:
        """The estimate for `position` (1 = next), or for someone taking a ticket now."""
        places = self.estimates(queue_id)
        return places[-1] if position is None or position > len(places) - 1 else places[position - 1]

    def positions(self, queue_id: str) -> dict[str, int]:
        cached = self._positions.get(queue_id)
        if cached is None or cached[0] != self.state.last_event_id:
            cached = (self.state.last_event_id, st.positions(self.state, queue_id))
            self._positions[queue_id] = cached
        return cached[1]

    def missed_since(self, since: int | None) -> list[Recorded] | None:
        """Today's records after `since`, or None when the client needs a fresh snapshot
        (no `since`, another day, or ahead of this journal)."""
        if since is None or not (self.base_event_id < since <= self.state.last_event_id):
            return None
        return self.today[bisect.bisect_right(self.today, since, key=lambda r: r.id) :]

    def encode(self, record: Recorded) -> str:
        # Encoded once here, then sent as-is to every socket.
        return _encoder.encode(self.wire(record)).decode()

    def wire(self, record: Recorded) -> dict[str, Any]:
        """An event as the live feed sends it: its fields, its id and day, and the counter's label for displays."""
        out: dict[str, Any] = msgspec.to_builtins(record.event)
        out.pop("by", None)  # who did it is for staff reports, not for screens in the hall
        out["id"] = record.id
        out["day"] = record.day.isoformat()
        counter = self.mall.counters.get(out.get("counter_id") or "")
        if counter is not None:
            out["counter_label"] = counter.label
            out["counter_number"] = counter.number
        return out

    def snapshot_message(self) -> str:
        from server.views import floor_view  # views import the floor's types; import here to avoid a cycle

        return _encoder.encode({"type": "snapshot", "id": self.state.last_event_id, "floor": floor_view(self)}).decode()
