"""A tiny floor for domain tests: run a command, give its events ids, fold them in, return them.

No server, no journal: the same decide-then-append loop the server runs, in memory.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from config.loader import load_mall, parse_mall
from ticketing import commands as cmd
from ticketing import state as st
from ticketing.catalog import Mall
from ticketing.events import Event, Recorded, TicketCalled, TicketIssued
from ticketing.state import FloorState, Ticket

TESTS = Path(__file__).resolve().parent.parent
ALLDAY_TOML = TESTS / "allday.toml"
MINI_TOML = TESTS / "mini.toml"
WIB = ZoneInfo("Asia/Jakarta")
MONDAY = date(2026, 11, 23)  # a Monday; 2026-11-22 is a Sunday, 2026-11-27 a Friday


def allday() -> Mall:
    return load_mall(ALLDAY_TOML)


def mini() -> Mall:
    return load_mall(MINI_TOML)


def allday_with(**site: object) -> Mall:
    """tests/allday.toml with some [site] keys changed (e.g. recall_limit=2)."""
    return parse_mall(_with_site(ALLDAY_TOML.read_text(encoding="utf-8"), site))


def mini_with(**site: object) -> Mall:
    return parse_mall(_with_site(MINI_TOML.read_text(encoding="utf-8"), site))


def _with_site(text: str, site: dict[str, object]) -> str:
    lines = text.splitlines()
    for key, value in site.items():
        lines = [ln for ln in lines if not ln.startswith(f"{key} =")]
        literal = "[" + ", ".join(str(v) for v in value) + "]" if isinstance(value, list) else str(value)
        lines.insert(lines.index("[site]") + 1, f"{key} = {literal}")
    return "\n".join(lines) + "\n"


def wib(day: date, hour: int, minute: int = 0, second: int = 0) -> datetime:
    """A local (WIB) wall-clock time on `day`, as the UTC instant the domain stores."""
    return datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=WIB).astimezone(UTC)


class Floor:
    """One mall's service day in memory. Every command runs at `now` (given, or the clock plus one minute)."""

    def __init__(self, mall: Mall | None = None, day: date = MONDAY, start: datetime | None = None) -> None:
        self.mall = mall or allday()
        self.state: FloorState = st.new_day(self.mall, day)
        self.records: list[Recorded] = []
        self.clock = start or wib(day, 8)
        self._tickets = 0

    # --- the loop -------------------------------------------------------------------

    def tick(self, minutes: float = 1) -> datetime:
        self.clock += timedelta(minutes=minutes)
        return self.clock

    def run(self, command: Callable[..., list[Event]], now: datetime | None = None, **kwargs: Any) -> list[Event]:
        """Decide on the current state, then append and fold each event; returns the events."""
        if now is None:
            now = self.tick()
        else:
            self.clock = max(self.clock, now)
        events = command(self.state, now=now, **kwargs)
        for event in events:
            self.append(event)
        return events

    def append(self, event: Event) -> Recorded:
        record = Recorded(self.state.last_event_id + 1, self.state.day, event)  # type: ignore[arg-type]
        self.records.append(record)
        st.apply(self.state, record)
        return record

    # --- shortcuts ------------------------------------------------------------------

    def issue(self, service_id: str = "ktp-el", **kwargs: Any) -> TicketIssued:
        self._tickets += 1
        kwargs.setdefault("ticket_id", f"t{self._tickets}")
        (event,) = self.run(cmd.issue_ticket, service_id=service_id, **kwargs)
        assert isinstance(event, TicketIssued)
        return event

    def call(self, counter_id: str, **kwargs: Any) -> TicketCalled | None:
        """call_next; the TicketCalled (None when nobody waits)."""
        called = [e for e in self.run(cmd.call_next, counter_id=counter_id, **kwargs) if isinstance(e, TicketCalled)]
        return called[0] if called else None

    def serve(self, counter_id: str, minutes: float = 0) -> None:
        """Start the counter's current ticket and finish it `minutes` later."""
        self.run(cmd.start_service, counter_id=counter_id)
        self.run(cmd.finish, counter_id=counter_id, now=self.tick(minutes) if minutes else None)

    def ticket(self, ticket_id: str) -> Ticket:
        return self.state.tickets[ticket_id]

    def number(self, ticket_id: str) -> str:
        return self.state.tickets[ticket_id].number

    def ticket_id_of(self, number: str) -> str:
        (ticket_id,) = [t.id for t in self.state.tickets.values() if t.number == number]
        return ticket_id

    def order(self, queue_id: str) -> list[str]:
        """Numbers in the order the queue will call them."""
        return [t.number for t in st.call_order(self.state, queue_id)]

    def drain(self, counter_id: str) -> list[str]:
        """call_next and no-show until nobody waits: the numbers in the order they were called."""
        out: list[str] = []
        while (called := self.call(counter_id)) is not None:
            out.append(called.number)
            self.run(cmd.no_show, counter_id=counter_id)
        return out
