"""`WS /ws/agent`: a kiosk's print agent receives that kiosk's print jobs and reports each outcome.

Server → agent: {"type": "job", "job_id", "ticket_id", "number", "copy", "data" (ESC/POS, base64), "text"}.
Agent → server: {"type": "ack", "job_id", "ok", "error"?} after printing (or finding it in its ledger),
and {"type": "status", "status", "detail"?} when its printer changes (ok, paper_near_end, paper_out,
offline, unknown). A job is sent again on every reconnection until its outcome is known: the agent's
ledger makes sure it is printed once.
"""

from __future__ import annotations

import asyncio
from contextlib import suppress
from typing import Any, Literal

import msgspec
from litestar import WebSocket, websocket
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException

from config.access import Access, DeviceAccess
from server import auth
from server.floor import Floor
from server.live import until_first_done
from server.spooler import AgentLink, Spooler
from ticketing.errors import Refusal

CLOSE_BAD_MESSAGE = 4400
STATUSES = ("ok", "paper_near_end", "paper_out", "offline", "unknown")


class Ack(msgspec.Struct, tag="ack"):
    job_id: str
    ok: bool
    error: str = ""


class Status(msgspec.Struct, tag="status"):
    status: Literal["ok", "paper_near_end", "paper_out", "offline", "unknown"]
    detail: str = ""


AgentMessage = Ack | Status
_decode = msgspec.json.Decoder(AgentMessage).decode


@websocket("/ws/agent")
async def agent_feed(socket: WebSocket[Any, Any, Any], floor: Floor, access: Access, spooler: Spooler) -> None:
    await socket.accept()
    try:
        device = auth.resolve(socket, access)
    except (NotAuthorizedException, PermissionDeniedException) as exc:
        await socket.close(code=4401, reason=exc.detail[:120])
        return
    kiosk = floor.mall.kiosks.get(device.id) if isinstance(device, DeviceAccess) and device.kind == "kiosk" else None
    printer_id = kiosk.printer_id if kiosk else None
    if printer_id not in spooler.agent_printers:
        await socket.close(code=4403, reason="only a kiosk whose printer has connection = 'agent' may connect here")
        return
    assert printer_id is not None
    link = await spooler.agent_connected(printer_id)
    try:
        await until_first_done(
            asyncio.ensure_future(_send(socket, link)), asyncio.ensure_future(_receive(socket, spooler, printer_id))
        )
        if link.replaced:
            with suppress(Exception):
                await asyncio.wait_for(socket.close(code=4409, reason="another agent connected for this kiosk"), 1)
    finally:
        await spooler.agent_left(printer_id, link)


async def _send(socket: WebSocket[Any, Any, Any], link: AgentLink) -> None:
    while (message := await link.outbox.get()) is not None:
        await socket.send_data(msgspec.json.encode(message).decode())


async def _receive(socket: WebSocket[Any, Any, Any], spooler: Spooler, printer_id: str) -> None:
    while True:
        raw = await socket.receive_data("text")
        try:
            message = _decode(raw)
            if isinstance(message, Ack):
                ticket_id, _, copy = message.job_id.rpartition(":")
                error = "" if message.ok else (message.error or "the agent could not print it")[:300]
                await spooler.agent_reported(printer_id, ticket_id, int(copy), error)
            else:
                await spooler.agent_status(printer_id, message.status, message.detail[:300])
        except (msgspec.ValidationError, msgspec.DecodeError, ValueError) as exc:
            await socket.close(code=CLOSE_BAD_MESSAGE, reason=f"bad message: {exc}"[:120])
            return
        except Refusal as exc:  # an ack for a job that does not exist (another day, a typo)
            await socket.send_data(msgspec.json.encode({"type": "error", "detail": exc.message}).decode())
