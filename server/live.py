"""Live feeds over websockets: the floor's events for displays and staff, one ticket for its visitor."""

from __future__ import annotations

import asyncio
from contextlib import suppress
from typing import Any

import msgspec
from litestar import WebSocket, websocket
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException, WebSocketDisconnect

from config.access import Access
from server import auth
from server.floor import Floor
from server.hub import Hub, HubClient
from server.personal import PersonalData
from server.sessions import Sessions
from server.views import ticket_view

INBOUND_LIMIT = 4096  # clients send nothing but an occasional ping
SEND_TIMEOUT = 10.0  # a socket that takes longer to accept one message is stuck
CLOSE_TOO_SLOW = 4008
CLOSE_NOT_FOUND = 4404
CLOSE_UNAUTHORIZED = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_TOO_BIG = 1009
TOO_SLOW = "too slow: reconnect with since=<last id>"


async def _receive(socket: WebSocket[Any, Any, Any]) -> None:
    """Read (and mostly ignore) what the client sends, so a disconnect is noticed."""
    while True:
        data = await socket.receive_data("text")
        if len(data) > INBOUND_LIMIT:
            await socket.close(code=CLOSE_TOO_BIG, reason="message too big")
            return
        if data == "ping":
            await socket.send_data('{"type":"pong"}')


async def until_first_done(*tasks: asyncio.Future[None]) -> None:
    """Run a socket's sender and receiver until either ends (the client left, or was let go)."""
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for t in tasks:
            t.cancel()
        for t in tasks:
            with suppress(asyncio.CancelledError, WebSocketDisconnect, Exception):
                await t


async def _send_from(socket: WebSocket[Any, Any, Any], hub: Hub, client: HubClient, first: list[str]) -> None:
    for backlog in first:
        await asyncio.wait_for(socket.send_data(backlog), SEND_TIMEOUT)
    while True:
        message = await client.queue.get()
        if message is None:
            return
        try:
            await asyncio.wait_for(socket.send_data(message), SEND_TIMEOUT)
        except TimeoutError:
            client.overflowed = True
            hub.dropped["send_timeout"] += 1
            return


async def _authorized(socket: WebSocket[Any, Any, Any], access: Access, sessions: Sessions) -> bool:
    """Staff and displays only. Accept first, so the browser sees why it was closed."""
    await socket.accept()
    try:
        auth.require_staff_or_display(auth.resolve(socket, access, await sessions.load(socket)))
    except NotAuthorizedException as exc:
        await socket.close(code=CLOSE_UNAUTHORIZED, reason=exc.detail[:120])
        return False
    except PermissionDeniedException as exc:
        await socket.close(code=CLOSE_FORBIDDEN, reason=exc.detail[:120])
        return False
    return True


@websocket("/ws/floor")
async def floor_feed(
    socket: WebSocket[Any, Any, Any], floor: Floor, access: Access, sessions: Sessions, since: int | None = None
) -> None:
    """A snapshot, or exactly the events after `since`; then every event live, in order."""
    if not await _authorized(socket, access, sessions):
        return
    client = floor.hub.register()
    try:
        # From register to here nothing awaits: no event can fall between the backlog and the live queue.
        floor.roll_day()
        missed = floor.missed_since(since)
        first = [floor.snapshot_message()] if missed is None else [floor.encode(r) for r in missed]
        sender = asyncio.ensure_future(_send_from(socket, floor.hub, client, first))

        def drop() -> None:
            sender.cancel()

        client.on_overflow = drop
        await until_first_done(sender, asyncio.ensure_future(_receive(socket)))
        if client.overflowed:
            # Too slow to keep up: drop it; it comes back with since=<last id> and misses nothing.
            with suppress(Exception):
                await asyncio.wait_for(socket.close(code=CLOSE_TOO_SLOW, reason=TOO_SLOW), 1)
    finally:
        floor.hub.unregister(client)


@websocket("/ws/tickets/{ticket_id:str}")
async def ticket_feed(socket: WebSocket[Any, Any, Any], floor: Floor, personal: PersonalData, ticket_id: str) -> None:
    """The visitor's ticket view, sent again whenever it changes."""
    await socket.accept()
    if ticket_id not in floor.state.tickets:
        await socket.send_data(
            '{"type":"error","detail":"Tiket tidak ditemukan untuk hari ini. No such ticket today."}'
        )
        await socket.close(code=CLOSE_NOT_FOUND, reason="no such ticket today")
        return

    phone_masked = await personal.masked_phone(ticket_id)

    async def push() -> None:
        last = ""
        while True:
            changed = asyncio.ensure_future(floor.changed())
            ticket = floor.state.tickets.get(ticket_id)
            if ticket is None:  # a new day began
                changed.cancel()
                await socket.close(code=CLOSE_NOT_FOUND, reason="the service day has ended")
                return
            view = ticket_view(floor, ticket)
            view.phone_masked = phone_masked
            message = msgspec.json.encode({"type": "ticket", "ticket": view}).decode()
            if message != last:
                await asyncio.wait_for(socket.send_data(message), SEND_TIMEOUT)
                last = message
            await changed

    await until_first_done(asyncio.ensure_future(push()), asyncio.ensure_future(_receive(socket)))
