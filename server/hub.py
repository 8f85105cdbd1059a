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

    def offer(self, message: str) -> None:
        if self.overflowed:
            return
        if self.queue.qsize() >= self.limit:
            self.overflowed = True
            self.queue.put_nowait(None)  # wakes the sender, which closes the socket
            return
        self.queue.put_nowait(message)


class Hub:
    def __init__(self) -> None:
        self.clients: set[HubClient] = set()

    def register(self, limit: int = CLIENT_QUEUE_LIMIT, accepts: Callable[[str], bool] | None = None) -> HubClient:
        client = HubClient(limit, accepts)
        self.clients.add(client)
        return client

    def unregister(self, client: HubClient) -> None:
        self.clients.discard(client)

    def publish(self, message: str) -> None:
        for client in self.clients:
            if client.accepts is None or client.accepts(message):
                client.offer(message)
