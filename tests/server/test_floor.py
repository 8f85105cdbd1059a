"""The floor service over a real SQLite journal: replay on restart, the service-day boundary, conflicts."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from config.loader import load_mall
from server.floor import Floor, new_ticket_id
from server.journal.sqlite import SQLiteJournal
from tests.support import ALLDAY
from ticketing import commands as cmd
from ticketing.catalog import Mall
from ticketing.events import Recorded

# 23:59 WIB on 22 November is 16:59 UTC; the next service day starts at 17:00 UTC.
LATE = datetime(2026, 11, 22, 16, 58, tzinfo=UTC)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def mall() -> Mall:
    return load_mall(ALLDAY)


@pytest.fixture
async def journal(tmp_path: Path, mall: Mall) -> AsyncIterator[SQLiteJournal]:
    j = SQLiteJournal(tmp_path / "j.sqlite3", mall.id)
    await j.start()
    yield j
    await j.stop()


async def issue(floor: Floor, service: str = "ktp-el") -> Recorded:
    tid = new_ticket_id()
    [record] = await floor.execute(lambda s, now: cmd.issue_ticket(s, service_id=service, ticket_id=tid, now=now))
    return record


def number(record: Recorded) -> str:
    return record.event.number  # type: ignore[union-attr]


async def test_numbering_restarts_at_local_midnight_and_earlier_days_stay(mall: Mall, journal: SQLiteJournal) -> None:
    clock = Clock(LATE)
    floor = Floor(mall, journal, clock)
    await floor.start()
    assert floor.state.day == date(2026, 11, 22)
    assert [number(await issue(floor)) for _ in range(3)] == ["A001", "A002", "A003"]

    clock.now = LATE + timedelta(minutes=2)  # 00:00 WIB, 23 November
    first_of_day = await issue(floor)
    assert (number(first_of_day), first_of_day.day) == ("A001", date(2026, 11, 23))
    assert first_of_day.id == 4, "event ids go on growing across days"
    assert floor.state.issued_per_service == {"ktp-el": 1}
    assert [number(r) for r in await journal.read(date(2026, 11, 22))] == ["A001", "A002", "A003"]

    # A restart on the new day replays only that day, and numbering goes on from there.
    again = Floor(mall, journal, clock)
    await again.start()
    assert again.state.day == date(2026, 11, 23)
    assert list(again.state.tickets) == [first_of_day.event.ticket_id]  # type: ignore[union-attr]
    assert number(await issue(again)) == "A002"


async def test_restart_with_nothing_today_starts_empty_after_the_last_id(mall: Mall, journal: SQLiteJournal) -> None:
    clock = Clock(LATE)
    floor = Floor(mall, journal, clock)
    await floor.start()
    await issue(floor)
    await issue(floor)
    clock.now = LATE + timedelta(hours=10)
    again = Floor(mall, journal, clock)
    await again.start()
    assert again.state.tickets == {}
    assert again.state.last_event_id == 2
    record = await issue(again)
    assert (record.id, number(record)) == (3, "A001")


async def test_a_stale_floor_catches_up_and_decides_again(mall: Mall, tmp_path: Path) -> None:
    """Two floors on one journal (as two processes would be): the second's state is stale, yet
    its call picks the visitor the first did not take, never the same one."""
    clock = Clock(LATE)
    j1 = SQLiteJournal(tmp_path / "shared.sqlite3", mall.id, exclusive=False)
    j2 = SQLiteJournal(tmp_path / "shared.sqlite3", mall.id, exclusive=False)
    await j1.start()
    await j2.start()
    try:
        one, two = Floor(mall, j1, clock), Floor(mall, j2, clock)
        await one.start()
        await issue(one)
        await issue(one)
        await two.start()  # sees A001 and A002 waiting
        called_by_one = (await one.execute(lambda s, now: cmd.call_next(s, counter_id="loket-1", now=now)))[-1]
        called_by_two = (await two.execute(lambda s, now: cmd.call_next(s, counter_id="loket-2", now=now)))[-1]
        assert number(called_by_one) == "A001"
        assert number(called_by_two) == "A002", "the stale floor called a visitor already taken"
        assert two.state.tickets[called_by_one.event.ticket_id].status == "called"  # type: ignore[union-attr]
    finally:
        await j1.stop()
        await j2.stop()


async def test_missed_since_gives_exactly_what_followed(mall: Mall, journal: SQLiteJournal) -> None:
    floor = Floor(mall, journal, Clock(LATE))
    await floor.start()
    records = [await issue(floor) for _ in range(5)]
    assert floor.missed_since(None) is None
    assert floor.missed_since(0) is None  # before today: needs a snapshot
    assert floor.missed_since(99) is None  # from the future (another journal): snapshot
    assert floor.missed_since(2) == records[2:]
    assert floor.missed_since(5) == []


async def test_every_event_says_who_caused_it_but_the_feed_does_not(mall: Mall, journal: SQLiteJournal) -> None:
    floor = Floor(mall, journal, Clock(LATE))
    await floor.start()
    tid = new_ticket_id()
    await floor.execute(
        lambda s, now: cmd.issue_ticket(s, service_id="ktp-el", ticket_id=tid, now=now), by="kiosk:kiosk-1"
    )
    await floor.execute(lambda s, now: cmd.call_next(s, counter_id="loket-1", now=now), by="staff:loket1")
    records = await journal.read(LATE.date())
    assert [(r.event.type if hasattr(r.event, "type") else type(r.event).__name__, r.event.by) for r in records] == [
        ("TicketIssued", "kiosk:kiosk-1"),
        ("CounterOpened", "staff:loket1"),
        ("TicketCalled", "staff:loket1"),
    ]
    assert all("by" not in floor.wire(r) for r in records)
