"""The print spooler: one worker per printer, printing off the event loop, every outcome journaled.

A ticket is journaled before anything is printed. A worker claims a copy (compare-and-append, so
with several server processes only one prints it), renders and sends it within the printer's
timeout (quick failures are retried with backoff inside that time), then journals
`ticket_printed` or `print_failed`. A failed slip never loses the ticket: the kiosk shows the
number and QR on screen, and staff may reprint. Printers reached through a kiosk's print agent
are served by the agent socket instead (server/agents.py).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from functools import partial
from pathlib import Path

from printers import connections
from printers.layout import render_text, render_ticket
from printers.model import PrintableTicket, PrinterConfig
from server.floor import Floor
from ticketing import commands as cmd
from ticketing import state as st
from ticketing.events import Event
from ticketing.state import FloorState, Ticket

logger = logging.getLogger("antrian.spooler")
RETRY_BACKOFF_S = (0.2, 0.5, 1.0)
STATUS_POLL_S = 15.0
PRIORITY_LABELS = {"elderly": "Lansia", "disabled": "Disabilitas", "pregnant_or_child": "Ibu hamil / anak kecil"}
DAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
ZONE_NAMES = {"Asia/Jakarta": "WIB", "Asia/Pontianak": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}


def printable(floor: Floor, ticket: Ticket, copy: int) -> PrintableTicket:
    """The slip's content, in words, for one copy of a ticket."""
    from server.views import ticket_view  # views import the floor; keep this module importable alone

    mall = floor.mall
    service = mall.services[ticket.service_id]
    view = ticket_view(floor, ticket)
    local = mall.local(ticket.issued_at)
    zone = ZONE_NAMES.get(mall.site.timezone, mall.site.timezone)
    low, high = view.estimated_wait_low, view.estimated_wait_high
    return PrintableTicket(
        ticket_id=ticket.id,
        number=ticket.number,
        mall_name=mall.site.name,
        agency_name=mall.agencies[ticket.agency_id].name,
        service_name=service.name,
        service_name_en=service.name_en if "en" in mall.site.languages and service.name_en != service.name else None,
        priority_label=f"PRIORITAS - {PRIORITY_LABELS.get(ticket.priority, ticket.priority)}"
        if ticket.priority
        else None,
        people_ahead=view.people_ahead or 0,
        wait_text=(f"{low}-{high} menit" if low != high else f"{low} menit") if low is not None else "",
        issued_at_text=f"{DAYS[local.weekday()]}, {local:%d/%m/%Y %H:%M} {zone}",
        status_url=view.status_url,
        footer="Simpan tiket ini. Pindai kode QR untuk melihat antrian Anda.",
        reprint=copy > 1,
    )


def _claim(state: FloorState, now: datetime, *, ticket_id: str, printer_id: str, copy: int) -> list[Event]:
    return cmd.start_print(state, ticket_id=ticket_id, printer_id=printer_id, copy=copy, now=now)


def _outcome(
    state: FloorState, now: datetime, *, ticket_id: str, printer_id: str, copy: int, error: str
) -> list[Event]:
    return cmd.record_print(state, ticket_id=ticket_id, printer_id=printer_id, copy=copy, now=now, error=error)


def _render(slip: PrintableTicket, printer: PrinterConfig) -> tuple[bytes, str]:
    return render_ticket(slip, printer), render_text(slip, printer)


class AgentLink:
    """One connected print agent: what is queued for it, and what it has been sent."""

    def __init__(self) -> None:
        self.outbox: asyncio.Queue[dict[str, object] | None] = asyncio.Queue()
        self.sent: set[tuple[str, int]] = set()
        self.replaced = False


class Spooler:
    def __init__(
        self,
        floor: Floor,
        printers: dict[str, PrinterConfig],
        preview_dir: Path,
        poll_seconds: float = STATUS_POLL_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.floor = floor
        self.all_printers = dict(printers)
        self.printers = {p.id: p for p in printers.values() if p.connection != "agent"}
        self.agent_printers = {p.id: p for p in printers.values() if p.connection == "agent"}
        self.agents: dict[str, AgentLink] = {}
        self.preview_dir = preview_dir
        self.poll_seconds = poll_seconds
        self.clock = clock
        self._wake = {pid: asyncio.Event() for pid in printers}
        # One thread per printer: its calls block, and python-escpos objects are not thread-safe.
        self._threads = {pid: ThreadPoolExecutor(1, thread_name_prefix=f"print-{pid}") for pid in self.printers}
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        for pid in self.printers:
            self._tasks.append(asyncio.create_task(self._work(pid), name=f"spool-{pid}"))
            self._tasks.append(asyncio.create_task(self._poll(pid), name=f"status-{pid}"))
        for pid in self.agent_printers:
            self._tasks.append(asyncio.create_task(self._feed_agent(pid), name=f"agent-{pid}"))

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for pool in self._threads.values():
            pool.shutdown(wait=False, cancel_futures=True)

    def wake(self, printer_id: str | None) -> None:
        if printer_id in self._wake:
            self._wake[printer_id].set()

    async def outcome(self, ticket_id: str, copy: int, within: float) -> None:
        """Wait (at most `within` seconds) until this copy has printed or failed."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(within):
                while True:
                    changed = asyncio.ensure_future(self.floor.changed())
                    ticket = self.floor.state.tickets.get(ticket_id)
                    if ticket is None or ticket.copies_done >= copy:
                        changed.cancel()
                        return
                    await changed

    def wait_budget(self, printer_id: str | None) -> float:
        """How long a kiosk's request may wait for its slip: the printer's timeout and a margin."""
        printer = self.all_printers.get(printer_id or "")
        if printer is None or (printer.connection == "agent" and printer.id not in self.agents):
            return 0.0  # an absent agent prints the job when it is back; the kiosk shows the slip now
        return printer.timeout_s + 1.0

    # --- print agents ---------------------------------------------------------------

    async def agent_connected(self, printer_id: str) -> AgentLink:
        """A kiosk's print agent is here: it gets every copy still without an outcome, even one it may
        have printed before its connection dropped (it keeps a ledger, and acks those without printing)."""
        old = self.agents.get(printer_id)
        if old is not None:
            old.replaced = True
            old.outbox.put_nowait(None)
        link = AgentLink()
        self.agents[printer_id] = link
        await self._set_status(printer_id, connections.OK, "print agent connected")
        self.wake(printer_id)
        return link

    async def agent_left(self, printer_id: str, link: AgentLink) -> None:
        if self.agents.get(printer_id) is link:
            del self.agents[printer_id]
            # Unknown, not offline: tickets issued meanwhile still queue for it, and print when it is back
            # (the kiosk shows them on screen at once all the same).
            await self._set_status(printer_id, connections.UNKNOWN, "print agent disconnected")

    async def agent_reported(self, printer_id: str, ticket_id: str, copy: int, error: str) -> None:
        await self.floor.execute(
            partial(_outcome, ticket_id=ticket_id, printer_id=printer_id, copy=copy, error=error),
            by=f"agent:{printer_id}",
        )

    async def agent_status(self, printer_id: str, status: str, detail: str) -> None:
        await self._set_status(printer_id, status, detail)

    async def _feed_agent(self, pid: str) -> None:
        printer = self.agent_printers[pid]
        while True:
            link = self.agents.get(pid)
            jobs = [] if link is None else st.print_jobs(self.floor.state, pid, unclaimed_only=False)
            fresh = [(t, c) for t, c in jobs if link is not None and (t.id, c) not in link.sent]
            if link is None or not fresh:
                self._wake[pid].clear()
                await self._wake[pid].wait()
                continue
            for ticket, copy in fresh:
                slip = printable(self.floor, ticket, copy)
                link.sent.add((ticket.id, copy))
                link.outbox.put_nowait(
                    {
                        "type": "job",
                        "job_id": f"{ticket.id}:{copy}",
                        "ticket_id": ticket.id,
                        "number": ticket.number,
                        "copy": copy,
                        "data": base64.b64encode(render_ticket(slip, printer)).decode(),
                        "text": render_text(slip, printer),
                    }
                )

    # --- printing -----------------------------------------------------------------

    async def _work(self, pid: str) -> None:
        printer = self.printers[pid]
        await self._give_up_interrupted(pid)
        while True:
            jobs = st.print_jobs(self.floor.state, pid)
            if not jobs:
                self._wake[pid].clear()
                await self._wake[pid].wait()
                continue
            ticket, copy = jobs[0]
            try:
                claimed = await self.floor.execute(
                    partial(_claim, ticket_id=ticket.id, printer_id=pid, copy=copy), by="spooler"
                )
                if not claimed:
                    continue  # another process took it
                slip = printable(self.floor, ticket, copy)
                error = await self._deliver(printer, slip, f"{ticket.number}-{ticket.id[:8]}-{copy}")
                await self.floor.execute(
                    partial(_outcome, ticket_id=ticket.id, printer_id=pid, copy=copy, error=error), by="spooler"
                )
                if error:
                    # Until the next poll says otherwise, kiosks should not count on this printer.
                    await self._set_status(pid, connections.OFFLINE, error)
            except asyncio.CancelledError:
                raise
            except Exception:  # the spooler must outlive any one job
                logger.exception("print job %s copy %s on %s failed unexpectedly", ticket.number, copy, pid)
                await asyncio.sleep(1)

    async def _deliver(self, printer: PrinterConfig, slip: PrintableTicket, name: str) -> str:
        """Send one slip within the printer's timeout; quick failures are retried. Returns '' or the error."""
        loop = asyncio.get_running_loop()
        # Rendering takes up to a few ms (an image QR): on the printer's own thread, not the event loop.
        data, text = await loop.run_in_executor(self._threads[printer.id], _render, slip, printer)
        deadline = self.clock() + printer.timeout_s
        error = ""
        for backoff in (*RETRY_BACKOFF_S, None):
            left = deadline - self.clock()
            if left <= 0:
                break
            attempt = loop.run_in_executor(
                self._threads[printer.id], connections.send, printer, data, self.preview_dir, name, text
            )
            try:
                await asyncio.wait_for(asyncio.shield(attempt), left)
                return ""
            except TimeoutError:
                return f"printer {printer.id} did not finish within {printer.timeout_s:g} s"
            except connections.PrintError as exc:
                error = str(exc)
            if backoff is None or self.clock() + backoff >= deadline:
                break
            await asyncio.sleep(backoff)
        return error or f"printer {printer.id} did not finish within {printer.timeout_s:g} s"

    async def _give_up_interrupted(self, pid: str) -> None:
        """Copies claimed by a spooler that died mid-print may or may not be on paper: never print them
        twice; record them failed, so staff reprint if the visitor has no slip."""
        for ticket, copy in st.interrupted_prints(self.floor.state, pid):
            error = "interrupted by a server restart"
            await self.floor.execute(
                partial(_outcome, ticket_id=ticket.id, printer_id=pid, copy=copy, error=error), by="spooler"
            )

    # --- health -------------------------------------------------------------------

    async def _poll(self, pid: str) -> None:
        printer = self.printers[pid]
        loop = asyncio.get_running_loop()
        while True:
            try:
                status, detail = await loop.run_in_executor(self._threads[pid], connections.status, printer)
                await self._set_status(pid, status, detail)
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("status of printer %s", pid)
            await asyncio.sleep(self.poll_seconds)

    async def _set_status(self, pid: str, status: str, detail: str) -> None:
        await self.floor.execute(
            lambda s, now: cmd.printer_status(s, printer_id=pid, status=status, detail=detail, now=now), by="spooler"
        )
        if status in (connections.OK, connections.NEAR_END):
            self.wake(pid)
