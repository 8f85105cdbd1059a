"""The scale-out backend: one Redis Stream per mall, shared by every server process.

Event id N is stream entry `0-N`, so the stream's own ordering is the journal's. Compare-and-append
is one Lua script (atomic, one round trip). A hash maps each service day to its first id. Run Redis
with `appendonly yes` and `appendfsync always` so an acknowledged ticket survives a Redis crash.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import date
from typing import cast

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from server.constants import REDIS_TAIL_BATCH, REDIS_TAIL_BLOCK_MS, redis_day_start_key, redis_journal_key
from server.journal.base import Journal, JournalConflict, JournalError
from ticketing.events import Event, Recorded, decode_event, encode_event

# KEYS[1] the journal stream, KEYS[2] the day -> first id hash.
# ARGV[1] expected last id, ARGV[2] the day, ARGV[3] the request key ('' for none), then pairs of (type, body).
_APPEND = """
local last = 0
local top = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)
if #top > 0 then
  last = tonumber(string.match(top[1][1], '%-(%d+)$'))
end
if last ~= tonumber(ARGV[1]) then
  return {0, last}
end
local n = 0
for i = 4, #ARGV, 2 do
  n = n + 1
  redis.call('XADD', KEYS[1], '0-' .. (last + n), 'day', ARGV[2], 'type', ARGV[i], 'body', ARGV[i + 1], 'key', ARGV[3])
end
redis.call('HSETNX', KEYS[2], ARGV[2], last + 1)
return {1, last}
"""
_READ_PAGE = 1000
# redis-py's annotations are looser than what it returns with decode_responses off: name the shapes once.
Entries = list[tuple[bytes, dict[bytes, bytes]]]


def _entry_id(stream_id: bytes | str) -> int:
    text = stream_id.decode() if isinstance(stream_id, bytes) else stream_id
    return int(text.rsplit("-", 1)[1])


def _record(stream_id: bytes, fields: dict[bytes, bytes]) -> Recorded:
    key = fields.get(b"key") or None
    return Recorded(
        _entry_id(stream_id),
        date.fromisoformat(fields[b"day"].decode()),
        decode_event(fields[b"body"]),
        key.decode() if key else None,
    )


class RedisJournal(Journal):
    shared = True

    def __init__(self, url: str, mall_id: str) -> None:
        self.url = url
        self.mall_id = mall_id
        self.key = redis_journal_key(mall_id)
        self.day_key = redis_day_start_key(mall_id)
        self._redis: aioredis.Redis | None = None
        self._append: object = None

    async def start(self) -> None:
        client = aioredis.Redis.from_url(self.url)
        try:
            await client.ping()
        except (RedisError, OSError) as exc:
            await client.aclose()
            raise JournalError(
                f"Journal at {self.url} cannot be reached ({exc}). Fix: start Redis or correct ANTRIAN_REDIS_URL."
            ) from None
        self._redis = client
        self._append = client.register_script(_APPEND)

    async def stop(self) -> None:
        if self._redis is not None:
            client, self._redis = self._redis, None
            await client.aclose()

    @property
    def redis(self) -> aioredis.Redis:
        if self._redis is None:
            raise JournalError(f"Journal at {self.url} is not open.")
        return self._redis

    async def last_id(self) -> int:
        top = cast(Entries, await self.redis.xrevrange(self.key, "+", "-", count=1))
        return _entry_id(top[0][0]) if top else 0

    async def append(
        self, day: date, events: Sequence[Event], expected_last_id: int, key: str | None = None
    ) -> list[Recorded]:
        args: list[str | bytes | int] = [expected_last_id, day.isoformat(), key or ""]
        for event in events:
            args += [type(event).__struct_config__.tag or "", encode_event(event)]
        ok, last = await self._append(keys=[self.key, self.day_key], args=args)  # type: ignore[operator]
        if not ok:
            raise JournalConflict(int(last))
        return [Recorded(int(last) + i, day, e, key) for i, e in enumerate(events, start=1)]  # type: ignore[arg-type]

    async def read(self, day: date, since_id: int = 0) -> list[Recorded]:
        start = cast(bytes | None, await self.redis.hget(self.day_key, day.isoformat()))
        if start is None:
            return []
        low = max(int(start), since_id + 1)
        out: list[Recorded] = []
        cursor = f"0-{low}"
        while True:
            page = cast(Entries, await self.redis.xrange(self.key, min=cursor, max="+", count=_READ_PAGE))
            out += [r for r in (_record(sid, fields) for sid, fields in page) if r.day == day]
            if len(page) < _READ_PAGE:
                return out
            cursor = f"0-{_entry_id(page[-1][0]) + 1}"

    async def read_after(self, since_id: int, limit: int = 1000) -> list[Recorded]:
        page = cast(Entries, await self.redis.xrange(self.key, min=f"0-{since_id + 1}", max="+", count=limit))
        return [_record(stream_id, fields) for stream_id, fields in page]

    async def subscribe(self, since_id: int) -> AsyncIterator[Recorded]:
        cursor = f"0-{since_id}"
        while True:
            batches = cast(
                list[tuple[bytes, Entries]],
                await self.redis.xread({self.key: cursor}, count=REDIS_TAIL_BATCH, block=REDIS_TAIL_BLOCK_MS),
            )
            for _key, entries in batches:
                for stream_id, fields in entries:
                    cursor = stream_id.decode()
                    yield _record(stream_id, fields)
