"""Fan-out of encoded messages to live websocket clients.

Each message is encoded once for every socket. Each client has a bounded queue: a client
that cannot keep up is dropped (it reconnects with `since` and misses nothing) instead of
growing the server's memory or slowing the others.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

CLIENT_QUEUE_LIMIT = 1000


class HubClient:
    def __init__(self, limit: int, accepts: Callable[[str], bool] | None) -> None:
        self.queue: asyncio.Queue[str | None] = asyncio.Queue(maxsize=limit + 1)
        self.limit = limit
        self.accepts = accepts
        self.overflowed = False
        self.on_overflow: Callable[[], None] | None = None  # e.g. cancel the socket's sender

    def offer(self, message: str) -> None:
        if self.overflowed:
            return
        if self.queue.qsize() >= self.limit:
            self.overflowed = True
            while not self.queue.empty():  # free what it will never read
                self.queue.get_nowait()
            self.queue.put_nowait(None)  # wakes an idle sender
            if self.on_overflow is not None:
                self.on_overflow()  # and stops one stuck in a send
            return
        self.queue.put_nowait(message)


class Hub:
    def __init__(self) -> None:
        self.clients: set[HubClient] = set()
        # Clients let go for being too slow, by cause: for operators (GET /api/health).
        self.dropped = {"queue_full": 0, "send_timeout": 0}

    def register(self, limit: int = CLIENT_QUEUE_LIMIT, accepts: Callable[[str], bool] | None = None) -> HubClient:
        client = HubClient(limit, accepts)
        self.clients.add(client)
        return client

    def unregister(self, client: HubClient) -> None:
        self.clients.discard(client)

    def publish(self, message: str) -> None:
        for client in self.clients:
            if client.overflowed or (client.accepts is not None and not client.accepts(message)):
                continue
            client.offer(message)
            if client.overflowed:
                self.dropped["queue_full"] += 1
