"""The journal contract (server/journal/base.py), run against every backend.

A backend is a factory `open_journal() -> Journal` that gives a new handle on the SAME
journal each call (another connection, as another process would have).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from server.journal import Journal, JournalConflict
from server.journal.redis import RedisJournal
from server.journal.sqlite import SQLiteJournal
from ticketing.events import CounterOpened, Event, Recorded

DAY = date(2026, 11, 23)
NEXT_DAY = DAY + timedelta(days=1)
T0 = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)

OpenJournal = Callable[[], Awaitable[Journal]]


def ev(n: int) -> Event:
    """A distinct, recognisable event: the counter id carries n."""
    return CounterOpened(at=T0 + timedelta(seconds=n), counter_id=f"c{n}")


def tags(records: list[Recorded]) -> list[str]:
    return [r.event.counter_id for r in records]  # type: ignore[union-attr]


@pytest.fixture(params=["sqlite", "redis"])
async def open_journal(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[OpenJournal]:
    opened: list[Journal] = []
    redis_url = request.getfixturevalue("redis_url") if request.param == "redis" else ""

    async def factory() -> Journal:
        journal: Journal
        if request.param == "redis":
            journal = RedisJournal(redis_url, "testmall")
        else:
            # Several handles stand for several processes here: the one-server lock is tested elsewhere.
            journal = SQLiteJournal(tmp_path / "journal.sqlite3", "testmall", exclusive=False)
        await journal.start()
        opened.append(journal)
        return journal

    yield factory
    for journal in opened:
        await journal.stop()


async def test_empty_journal(open_journal: OpenJournal) -> None:
    j = await open_journal()
    assert await j.last_id() == 0
    assert await j.read(DAY) == []


async def test_append_assigns_increasing_ids_and_reads_back(open_journal: OpenJournal) -> None:
    j = await open_journal()
    first = await j.append(DAY, [ev(1), ev(2)], expected_last_id=0)
    second = await j.append(DAY, [ev(3)], expected_last_id=2)
    assert [r.id for r in first + second] == [1, 2, 3]
    assert all(r.day == DAY for r in first + second)
    back = await j.read(DAY)
    assert [r.id for r in back] == [1, 2, 3]
    assert back[0].event == ev(1)
    assert tags(await j.read(DAY, since_id=1)) == ["c2", "c3"]


async def test_stale_append_is_refused_and_writes_nothing(open_journal: OpenJournal) -> None:
    j = await open_journal()
    await j.append(DAY, [ev(1), ev(2)], expected_last_id=0)
    with pytest.raises(JournalConflict) as caught:
        await j.append(DAY, [ev(3), ev(4)], expected_last_id=1)
    assert caught.value.last_id == 2
    assert tags(await j.read(DAY)) == ["c1", "c2"]
    assert await j.last_id() == 2


async def test_days_are_separate_but_ids_keep_growing(open_journal: OpenJournal) -> None:
    j = await open_journal()
    await j.append(DAY, [ev(1), ev(2)], expected_last_id=0)
    later = await j.append(NEXT_DAY, [ev(3)], expected_last_id=2)
    assert [r.id for r in later] == [3]
    assert tags(await j.read(DAY)) == ["c1", "c2"]
    assert tags(await j.read(NEXT_DAY)) == ["c3"]
    assert [r.day for r in await j.read(NEXT_DAY)] == [NEXT_DAY]


async def test_durable_across_reopen(open_journal: OpenJournal) -> None:
    j = await open_journal()
    await j.append(DAY, [ev(1), ev(2), ev(3)], expected_last_id=0)
    await j.stop()
    again = await open_journal()
    assert await again.last_id() == 3
    assert tags(await again.read(DAY)) == ["c1", "c2", "c3"]


async def _append_with_retry(j: Journal, n: int) -> int:
    """Append one event the way the floor does: read the head, try, retry on conflict. Returns conflicts seen."""
    conflicts = 0
    expected = await j.last_id()
    while True:
        try:
            await j.append(DAY, [ev(n)], expected_last_id=expected)
            return conflicts
        except JournalConflict as exc:
            conflicts += 1
            expected = exc.last_id
        await asyncio.sleep(0)


async def test_concurrent_compare_and_append_loses_and_duplicates_nothing(open_journal: OpenJournal) -> None:
    # Four handles on one journal (as four processes would have), 10 writers each, 20 events per writer.
    handles = [await open_journal() for _ in range(4)]
    writers, per_writer = 40, 20

    async def writer(w: int) -> int:
        j = handles[w % len(handles)]
        return sum([await _append_with_retry(j, w * 1000 + i) for i in range(per_writer)])

    conflicts = sum(await asyncio.gather(*(writer(w) for w in range(writers))))
    records = await handles[0].read(DAY)
    assert [r.id for r in records] == list(range(1, writers * per_writer + 1))
    assert sorted(tags(records)) == sorted(f"c{w * 1000 + i}" for w in range(writers) for i in range(per_writer))
    # Each writer's own events keep their order.
    for w in range(writers):
        mine = [t for t in tags(records) if int(t[1:]) // 1000 == w]
        assert mine == [f"c{w * 1000 + i}" for i in range(per_writer)]
    assert conflicts > 0, "the writers never raced: this test proved nothing"


async def test_exactly_one_of_simultaneous_appends_on_the_same_head_wins(open_journal: OpenJournal) -> None:
    handles = [await open_journal() for _ in range(3)]
    await handles[0].append(DAY, [ev(0)], expected_last_id=0)
    results = await asyncio.gather(
        *(h.append(DAY, [ev(i + 1), ev(i + 100)], expected_last_id=1) for i, h in enumerate(handles * 3)),
        return_exceptions=True,
    )
    wins = [r for r in results if not isinstance(r, BaseException)]
    assert len(wins) == 1
    assert all(isinstance(r, JournalConflict) for r in results if isinstance(r, BaseException))
    assert [r.id for r in await handles[0].read(DAY)] == [1, 2, 3]


async def test_subscribe_gives_history_then_live_in_order_each_once(open_journal: OpenJournal) -> None:
    writer = await open_journal()
    await writer.append(DAY, [ev(i) for i in range(1, 6)], expected_last_id=0)
    # A shared backend tells every handle (every process); an embedded one tells its own handle.
    reader = await open_journal() if writer.shared else writer
    seen: list[Recorded] = []

    async def follow() -> None:
        async for record in reader.subscribe(since_id=3):
            seen.append(record)
            if len(seen) == 7:
                return

    task = asyncio.create_task(follow())
    await asyncio.sleep(0.05)
    last = 5
    for i in range(6, 11):
        await writer.append(DAY if i < 9 else NEXT_DAY, [ev(i)], expected_last_id=last)
        last += 1
    await asyncio.wait_for(task, 5)
    assert [r.id for r in seen] == [4, 5, 6, 7, 8, 9, 10]
    assert tags(seen) == [f"c{i}" for i in range(4, 11)]
    assert [r.day for r in seen][-2:] == [NEXT_DAY, NEXT_DAY]


async def test_subscribers_do_not_leak_after_they_stop(open_journal: OpenJournal) -> None:
    j = await open_journal()
    await j.append(DAY, [ev(1)], expected_last_id=0)
    stream = j.subscribe(since_id=0)
    first = await anext(stream)  # type: ignore[arg-type]
    assert first.id == 1
    await stream.aclose()  # type: ignore[attr-defined]
    # Appending after the subscriber left must neither fail nor block.
    await asyncio.wait_for(j.append(DAY, [ev(2)], expected_last_id=1), 2)
    assert await j.last_id() == 2


async def test_the_request_key_is_kept_with_every_record(open_journal: OpenJournal) -> None:
    j = await open_journal()
    await j.append(DAY, [ev(1)], expected_last_id=0)
    await j.append(DAY, [ev(2), ev(3)], expected_last_id=1, key="kiosk-1|POST /api/tickets|abc")
    other = await open_journal()
    for records in (await other.read(DAY), await other.read_after(0)):
        assert [r.key for r in records] == [None, "kiosk-1|POST /api/tickets|abc", "kiosk-1|POST /api/tickets|abc"]
