"""The embedded default: one SQLite file per mall, WAL mode, fsync on every commit.

All SQLite work runs on one dedicated thread, which also serializes it; the event loop never blocks.
"""

from __future__ import annotations

import asyncio
import fcntl
import os
import sqlite3
from collections.abc import AsyncIterator, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path
from typing import IO, TypeVar

from server.journal.base import Journal, JournalConflict, JournalError
from ticketing.events import Event, Recorded, decode_event, encode_event

SCHEMA_VERSION = "1"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY,
    day TEXT NOT NULL,
    type TEXT NOT NULL,
    body BLOB NOT NULL,
    request_key TEXT
);
CREATE INDEX IF NOT EXISTS events_by_day ON events (day, id);
"""
T = TypeVar("T")


class SQLiteJournal(Journal):
    def __init__(self, path: Path | str, mall_id: str, exclusive: bool = True) -> None:
        self.path = Path(path)
        self.mall_id = mall_id
        # One server process per journal: a second one would keep its own state and serve stale queues.
        self.exclusive = exclusive
        self._lock_file: IO[str] | None = None
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="journal")
        self._conn: sqlite3.Connection | None = None
        self._subscribers: set[asyncio.Queue[Recorded]] = set()
        self._loop: asyncio.AbstractEventLoop | None = None

    async def _run(self, fn: Callable[[], T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._executor, fn)

    # --- lifecycle ---------------------------------------------------------------

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        await self._run(self._open)

    def _open(self) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise JournalError(
                f"Journal {self.path}: cannot create its folder ({exc}). Fix: set ANTRIAN_JOURNAL to a writable path."
            ) from None
        if self.exclusive:
            self._lock()
        try:
            conn = sqlite3.connect(self.path, isolation_level=None, timeout=5.0)
            conn.execute("PRAGMA journal_mode=WAL")
            # FULL: a commit is on disk before append returns, even across a power cut.
            conn.execute("PRAGMA synchronous=FULL")
            conn.executescript(_SCHEMA)
            row = conn.execute("PRAGMA quick_check").fetchone()
            if row is None or row[0] != "ok":
                raise sqlite3.DatabaseError(f"integrity check failed: {row}")
            meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
            if not meta:
                conn.execute("INSERT INTO meta VALUES ('mall_id', ?), ('schema', ?)", (self.mall_id, SCHEMA_VERSION))
            elif meta.get("mall_id") != self.mall_id:
                raise JournalError(
                    f"Journal {self.path} belongs to mall {meta.get('mall_id')!r}, not {self.mall_id!r}. "
                    "Fix: point ANTRIAN_JOURNAL at this mall's own journal file."
                )
        except sqlite3.OperationalError as exc:
            raise JournalError(
                f"Journal {self.path} cannot be opened ({exc}). Fix: check that no other Antrian server "
                "uses it and that the file and its folder are writable."
            ) from None
        except sqlite3.DatabaseError as exc:
            raise JournalError(
                f"Journal {self.path} is damaged ({exc}). Nothing was changed. Fix: restore it from a backup, "
                "or move it aside to start an empty journal."
            ) from None
        self._conn = conn

    def _lock(self) -> None:
        lock_path = self.path.with_name(self.path.name + ".lock")
        lock_file = lock_path.open("a+")
        try:
            fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock_file.seek(0)
            holder = lock_file.read().strip() or "another process"
            lock_file.close()
            raise JournalError(
                f"Journal {self.path} is in use by another Antrian server ({holder}). Fix: stop that server, or "
                "run several servers on one Redis journal (ANTRIAN_REDIS_URL) instead."
            ) from None
        lock_file.truncate(0)
        lock_file.write(f"pid {os.getpid()}")
        lock_file.flush()
        self._lock_file = lock_file

    async def stop(self) -> None:
        if self._conn is not None:
            conn, self._conn = self._conn, None
            await self._run(conn.close)
        if self._lock_file is not None:
            self._lock_file.close()  # releases the lock
            self._lock_file = None
        self._executor.shutdown(wait=False)

    @property
    def conn(self) -> sqlite3.Connection:
        if self._conn is None:
            raise JournalError(f"Journal {self.path} is not open.")
        return self._conn

    # --- the contract --------------------------------------------------------------

    async def last_id(self) -> int:
        return await self._run(self._last_id)

    def _last_id(self) -> int:
        row = self.conn.execute("SELECT COALESCE(MAX(id), 0) FROM events").fetchone()
        return int(row[0])

    async def append(
        self, day: date, events: Sequence[Event], expected_last_id: int, key: str | None = None
    ) -> list[Recorded]:
        bodies = [(type(e).__struct_config__.tag, encode_event(e)) for e in events]
        return await self._run(lambda: self._append(day, events, bodies, expected_last_id, key))

    def _append(
        self,
        day: date,
        events: Sequence[Event],
        bodies: Sequence[tuple[object, bytes]],
        expected: int,
        key: str | None,
    ) -> list[Recorded]:
        conn = self.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            last = self._last_id()
            if last != expected:
                raise JournalConflict(last)
            records = []
            for i, ((tag, body), event) in enumerate(zip(bodies, events, strict=True), start=1):
                conn.execute(
                    "INSERT INTO events (id, day, type, body, request_key) VALUES (?, ?, ?, ?, ?)",
                    (last + i, day.isoformat(), tag, body, key),
                )
                records.append(Recorded(last + i, day, event, key))  # type: ignore[arg-type]
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        if records and self._loop is not None:
            # From this thread, in commit order, so subscribers see records in id order.
            self._loop.call_soon_threadsafe(self._publish, records)
        return records

    def _publish(self, records: list[Recorded]) -> None:
        for queue in self._subscribers:
            for r in records:
                queue.put_nowait(r)

    async def read(self, day: date, since_id: int = 0) -> list[Recorded]:
        return await self._run(
            lambda: self._rows(
                "SELECT id, day, body, request_key FROM events WHERE day = ? AND id > ? ORDER BY id",
                (day.isoformat(), since_id),
            )
        )

    async def read_after(self, since_id: int, limit: int = 1000) -> list[Recorded]:
        return await self._run(
            lambda: self._rows(
                "SELECT id, day, body, request_key FROM events WHERE id > ? ORDER BY id LIMIT ?", (since_id, limit)
            )
        )

    def _rows(self, sql: str, args: tuple[object, ...]) -> list[Recorded]:
        return [
            Recorded(i, date.fromisoformat(d), decode_event(body), key)
            for i, d, body, key in self.conn.execute(sql, args)
        ]

    async def subscribe(self, since_id: int) -> AsyncIterator[Recorded]:
        queue: asyncio.Queue[Recorded] = asyncio.Queue()
        self._subscribers.add(queue)
        try:
            last = since_id
            # Registered before reading history: a record committed in between arrives twice, and is skipped once.
            while history := await self.read_after(last):
                for record in history:
                    last = record.id
                    yield record
            while True:
                record = await queue.get()
                if record.id > last:
                    last = record.id
                    yield record
        finally:
            self._subscribers.discard(queue)
