"""The JSON API. Handlers parse, authorize, call the domain through the floor, and return views."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.openapi.datastructures import ResponseSpec
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT

from config.access import DeviceAccess, StaffAccount
from printers.layout import render_text
from printers.model import PrinterConfig
from server import auth
from server.auth import Principal
from server.floor import Floor, new_ticket_id
from server.limits import KioskRateLimit
from server.personal import PersonalData, normalize_phone
from server.spooler import Spooler, printable
from server.views import (
    CatalogView,
    CounterView,
    FloorView,
    TicketView,
    catalog_view,
    counter_view,
    floor_view,
    ticket_view,
)
from ticketing import commands as cmd
from ticketing import state as st
from ticketing.catalog import Counter
from ticketing.errors import Invalid, NotFound, Refusal
from ticketing.events import Recorded

PrinterConfigs = dict[str, PrinterConfig]
STATUS_FOR_REFUSAL = {"not_found": 404, "conflict": 409, "unavailable": 409, "invalid": 422}
IDEMPOTENCY_HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 200
NO_BODY = ResponseSpec(data_container=None, description="Nobody is waiting in this counter's queues")


class IssueRequest(msgspec.Struct):
    service_id: str
    priority: str | None = None
    kiosk_id: str | None = None
    lang: str = "id"
    phone: str | None = None  # kept only with phone_consent, masked everywhere, purged after retention_days
    phone_consent: bool = False


class TransferRequest(msgspec.Struct):
    service_id: str


class CallRequest(msgspec.Struct):
    ticket_id: str


class PauseRequest(msgspec.Struct):
    reason: str = ""


class ErrorBody(msgspec.Struct):
    status_code: int
    detail: str
    code: str


def refusal_handler(request: Request[Any, Any, Any], exc: Refusal) -> Response[ErrorBody]:
    status = STATUS_FOR_REFUSAL[exc.kind]
    return Response(ErrorBody(status, exc.message, exc.code), status_code=status)


async def _ticket_of(floor: Floor, personal: PersonalData, ticket_id: str) -> TicketView:
    t = floor.state.tickets.get(ticket_id)
    if t is None:
        raise NotFound(
            "Tiket tidak ditemukan untuk hari ini. "
            "No ticket with that id today: tickets are valid on the day they were taken."
        )
    view = ticket_view(floor, t)
    view.phone_masked = await personal.masked_phone(ticket_id)
    return view


def _counter(floor: Floor, counter_id: str) -> Counter:
    counter = floor.mall.counters.get(counter_id)
    if counter is None:
        raise NotFound(f"Unknown counter '{counter_id}': use a counter id from /api/floor.")
    return counter


def _touched_ticket(records: list[Recorded]) -> str | None:
    for r in reversed(records):
        ticket_id = getattr(r.event, "ticket_id", None)
        if ticket_id:
            return str(ticket_id)
    return None


def _principal_name(principal: Principal) -> str:
    if isinstance(principal, StaffAccount):
        return f"staff:{principal.username}"
    if isinstance(principal, DeviceAccess):
        return f"{principal.kind}:{principal.id}"
    return "visitor"


async def request_key(request: Request[Any, Any, Any], principal: Principal) -> str | None:
    """The request's idempotency key: its scope (who, what, the client's key) and a fingerprint
    of its body, so a key reused for a different request is refused rather than replayed."""
    value = request.headers.get(IDEMPOTENCY_HEADER)
    if value is None:
        return None
    if not 0 < len(value) <= MAX_KEY_LENGTH or not value.isprintable():
        raise Invalid(f"The {IDEMPOTENCY_HEADER} header must be 1-{MAX_KEY_LENGTH} printable characters, e.g. a UUID.")
    fingerprint = hashlib.sha256(await request.body()).hexdigest()[:16]
    return f"{_principal_name(principal)} {request.method} {request.url.path} {value}|{fingerprint}"


class Health(msgspec.Struct):
    status: str
    mall_id: str
    day: str
    last_event_id: int
    journal: str
    live_clients: int  # websockets currently fed by this process
    dropped_clients: dict[str, int]  # let go for being too slow, by cause, since the process started


async def _await_slip(floor: Floor, spooler: Spooler, ticket_id: str) -> None:
    """Give the printer its few seconds, so the answer says whether the slip came out."""
    ticket = floor.state.tickets.get(ticket_id)
    if ticket is None or ticket.copies_done >= ticket.copies_ordered:
        return
    spooler.wake(ticket.printer_id)
    await spooler.outcome(ticket_id, ticket.copies_ordered, spooler.wait_budget(ticket.printer_id))


class Slip(msgspec.Struct):
    ticket_id: str
    printer_id: str | None
    paper_mm: int
    text: str


SCREEN_SLIP = PrinterConfig(id="screen", connection="preview", paper_mm=58)


class PrinterView(msgspec.Struct):
    id: str
    connection: str
    profile: str
    paper_mm: int
    status: str  # ok | paper_near_end | paper_out | offline | unknown
    detail: str  # what the printer (or its agent) last said
    usable: bool
    kiosks: list[str]
    pending_jobs: int


class VisitorController(Controller):
    path = "/api"
    tags = ("visitors",)

    @get("/health", summary="Liveness for load balancers and monitoring", tags=["operations"])
    async def health(self, floor: Floor) -> Health:
        return Health(
            status="ok",
            mall_id=floor.mall.id,
            day=floor.state.day.isoformat(),
            last_event_id=floor.state.last_event_id,
            journal=type(floor.journal).__name__,
            live_clients=len(floor.hub.clients),
            dropped_clients=dict(floor.hub.dropped),
        )

    @get("/catalog", summary="Agencies and services with open/closed, quota left, people waiting and estimated wait")
    async def catalog(self, floor: Floor, kiosk_id: str | None = None) -> CatalogView:
        if kiosk_id is not None and kiosk_id not in floor.mall.kiosks:
            raise NotFound(f"Unknown kiosk '{kiosk_id}'.")
        floor.roll_day()
        return catalog_view(floor, kiosk_id)

    @post("/tickets", status_code=HTTP_201_CREATED, summary="Take a number (a kiosk, or a supervisor)")
    async def issue(
        self,
        floor: Floor,
        principal: Principal,
        kiosk_limit: KioskRateLimit,
        personal: PersonalData,
        spooler: Spooler,
        data: IssueRequest,
        request: Request[Any, Any, Any],
    ) -> TicketView:
        kiosk_id = auth.require_issuer(principal, data.kiosk_id)
        phone = normalize_phone(data.phone, data.phone_consent) if data.phone else None
        key = await request_key(request, principal)
        if isinstance(principal, DeviceAccess) and not floor.is_replay(key):
            kiosk_limit.check(principal.id)  # a retried request is not a new ticket, so it does not count
        ticket_id = new_ticket_id()
        records = await floor.execute(
            lambda s, now: cmd.issue_ticket(
                s,
                now=now,
                service_id=data.service_id,
                ticket_id=ticket_id,
                priority=data.priority,
                kiosk_id=kiosk_id,
                lang=data.lang,
            ),
            key,
            by=_principal_name(principal),
        )
        issued = _touched_ticket(records) or ticket_id  # a retried request gets its first attempt's ticket
        if phone is not None and issued == ticket_id:
            await personal.keep_phone(ticket_id, phone)
        await _await_slip(floor, spooler, issued)
        return await _ticket_of(floor, personal, issued)

    @post(
        "/tickets/{ticket_id:str}/reprint",
        status_code=200,
        summary="Print the slip again (the issuing kiosk, a supervisor of its agency, or an admin)",
    )
    async def reprint(
        self,
        floor: Floor,
        principal: Principal,
        personal: PersonalData,
        spooler: Spooler,
        ticket_id: str,
        request: Request[Any, Any, Any],
    ) -> TicketView:
        ticket = floor.state.tickets.get(ticket_id)
        if ticket is None:
            await _ticket_of(floor, personal, ticket_id)  # the usual 404
            raise AssertionError  # pragma: no cover
        auth.require_reprint(principal, ticket.kiosk_id, ticket.agency_id)
        key = await request_key(request, principal)
        by = _principal_name(principal)
        await floor.execute(lambda s, now: cmd.request_reprint(s, ticket_id=ticket_id, by=by, now=now), key, by=by)
        await _await_slip(floor, spooler, ticket_id)
        return await _ticket_of(floor, personal, ticket_id)

    @get("/tickets/{ticket_id:str}/slip", summary="The ticket's slip as text (what its printer printed, or would)")
    async def slip(self, floor: Floor, spooler: Spooler, ticket_id: str) -> Slip:
        ticket = floor.state.tickets.get(ticket_id)
        if ticket is None:
            raise NotFound("Tiket tidak ditemukan untuk hari ini. No ticket with that id today.")
        kiosk = floor.mall.kiosks.get(ticket.kiosk_id or "")
        # A slip shown on screen (printer down) is laid out for the kiosk's own paper all the same.
        printer_id = ticket.printer_id or (kiosk.printer_id if kiosk else None)
        printer = spooler.all_printers.get(printer_id or "") or SCREEN_SLIP
        text = render_text(printable(floor, ticket, max(1, ticket.copies_ordered)), printer)
        return Slip(ticket_id=ticket.id, printer_id=ticket.printer_id, paper_mm=printer.paper_mm, text=text)

    @get("/tickets/{ticket_id:str}", summary="A ticket's status, position and estimated wait (its id is the key)")
    async def ticket(self, floor: Floor, personal: PersonalData, ticket_id: str) -> TicketView:
        floor.roll_day()
        return await _ticket_of(floor, personal, ticket_id)

    @post("/tickets/{ticket_id:str}/cancel", status_code=200, summary="The visitor gives up their place")
    async def cancel(
        self,
        floor: Floor,
        personal: PersonalData,
        principal: Principal,
        ticket_id: str,
        request: Request[Any, Any, Any],
    ) -> TicketView:
        key = await request_key(request, principal)
        await floor.execute(lambda s, now: cmd.cancel_ticket(s, ticket_id=ticket_id, now=now), key, by="visitor")
        return await _ticket_of(floor, personal, ticket_id)


class FloorController(Controller):
    path = "/api"
    tags = ("floor",)

    @get("/printers", summary="Every ticket printer and its last known status (staff and kiosks)")
    async def printers(self, floor: Floor, principal: Principal, printer_configs: PrinterConfigs) -> list[PrinterView]:
        auth.require_staff_or_kiosk(principal)
        out = []
        for p in printer_configs.values():
            out.append(
                PrinterView(
                    id=p.id,
                    connection=p.connection,
                    profile=p.profile,
                    paper_mm=p.paper_mm,
                    status=floor.state.printers.get(p.id, "unknown"),
                    detail=floor.state.printer_details.get(p.id, ""),
                    usable=st.printer_usable(floor.state, p.id),
                    kiosks=[k.id for k in floor.mall.kiosks.values() if k.printer_id == p.id],
                    pending_jobs=len(st.print_jobs(floor.state, p.id, unclaimed_only=False)),
                )
            )
        return out

    @get("/floor", summary="Snapshot of queues, counters, current tickets and recent calls (staff and displays)")
    async def floor(self, floor: Floor, principal: Principal) -> FloorView:
        auth.require_staff_or_display(principal)
        floor.roll_day()
        return floor_view(floor)

    @get("/counters/{counter_id:str}", summary="One counter, its current ticket and its queues")
    async def counter(self, floor: Floor, principal: Principal, counter_id: str) -> CounterView:
        auth.require_counter_view(principal, _counter(floor, counter_id))
        floor.roll_day()
        return counter_view(floor, counter_id, floor.clock())

    async def _act(
        self,
        floor: Floor,
        principal: Principal,
        request: Request[Any, Any, Any],
        counter_id: str,
        action: str,
        decide: Callable[..., Any],
        **kwargs: Any,
    ) -> list[Recorded]:
        auth.require_counter_action(principal, _counter(floor, counter_id), action)
        key = await request_key(request, principal)
        return await floor.execute(
            lambda s, now: decide(s, counter_id=counter_id, now=now, **kwargs), key, by=_principal_name(principal)
        )

    async def _ticket_action(self, *args: Any, **kwargs: Any) -> TicketView:
        floor: Floor = args[0]
        ticket_id = _touched_ticket(await self._act(*args, **kwargs))
        if ticket_id is None:  # pragma: no cover - every ticket action appends a ticket event
            raise Invalid("Nothing happened.")
        return ticket_view(floor, floor.state.tickets[ticket_id])

    async def _counter_action(self, *args: Any, **kwargs: Any) -> CounterView:
        floor: Floor = args[0]
        await self._act(*args, **kwargs)
        return counter_view(floor, args[3], floor.clock())

    @post(
        "/counters/{counter_id:str}/call-next",
        status_code=200,
        summary="Call the next visitor (opens the counter if closed or paused)",
        responses={204: NO_BODY},
    )
    async def call_next(
        self, floor: Floor, principal: Principal, counter_id: str, request: Request[Any, Any, Any]
    ) -> Response[TicketView | None]:
        records = await self._act(floor, principal, request, counter_id, "call-next", cmd.call_next)
        ticket_id = _touched_ticket(records)
        if ticket_id is None:
            return Response(None, status_code=HTTP_204_NO_CONTENT)
        return Response(ticket_view(floor, floor.state.tickets[ticket_id]))

    @post("/counters/{counter_id:str}/recall", status_code=200, summary="Call the current ticket again")
    async def recall(
        self, floor: Floor, principal: Principal, counter_id: str, request: Request[Any, Any, Any]
    ) -> TicketView:
        return await self._ticket_action(floor, principal, request, counter_id, "recall", cmd.recall)

    @post("/counters/{counter_id:str}/start", status_code=200, summary="The visitor has arrived: start service")
    async def start(
        self, floor: Floor, principal: Principal, counter_id: str, request: Request[Any, Any, Any]
    ) -> TicketView:
        return await self._ticket_action(floor, principal, request, counter_id, "start", cmd.start_service)

    @post("/counters/{counter_id:str}/finish", status_code=200, summary="Service done")
    async def finish(
        self, floor: Floor, principal: Principal, counter_id: str, request: Request[Any, Any, Any]
    ) -> TicketView:
        return await self._ticket_action(floor, principal, request, counter_id, "finish", cmd.finish)

    @post("/counters/{counter_id:str}/no-show", status_code=200, summary="The called visitor did not come")
    async def no_show(
        self, floor: Floor, principal: Principal, counter_id: str, request: Request[Any, Any, Any]
    ) -> TicketView:
        return await self._ticket_action(floor, principal, request, counter_id, "no-show", cmd.no_show)

    @post("/counters/{counter_id:str}/transfer", status_code=200, summary="Send the visitor to another service")
    async def transfer(
        self,
        floor: Floor,
        principal: Principal,
        counter_id: str,
        request: Request[Any, Any, Any],
        data: TransferRequest,
    ) -> TicketView:
        return await self._ticket_action(
            floor, principal, request, counter_id, "transfer", cmd.transfer, service_id=data.service_id
        )

    @post("/counters/{counter_id:str}/return", status_code=200, summary="Put the current ticket back in its queue")
    async def return_(
        self, floor: Floor, principal: Principal, counter_id: str, request: Request[Any, Any, Any]
    ) -> TicketView:
        return await self._ticket_action(floor, principal, request, counter_id, "return", cmd.return_to_queue)

    @post("/counters/{counter_id:str}/call", status_code=200, summary="Call a specific waiting ticket (supervisor)")
    async def call(
        self,
        floor: Floor,
        principal: Principal,
        counter_id: str,
        request: Request[Any, Any, Any],
        data: CallRequest,
    ) -> TicketView:
        return await self._ticket_action(
            floor, principal, request, counter_id, "call", cmd.call_specific, ticket_id=data.ticket_id
        )

    @post("/counters/{counter_id:str}/open", status_code=200, summary="Open the counter")
    async def open(
        self, floor: Floor, principal: Principal, counter_id: str, request: Request[Any, Any, Any]
    ) -> CounterView:
        return await self._counter_action(floor, principal, request, counter_id, "open", cmd.open_counter)

    @post("/counters/{counter_id:str}/pause", status_code=200, summary="Pause the counter for a break")
    async def pause(
        self,
        floor: Floor,
        principal: Principal,
        counter_id: str,
        request: Request[Any, Any, Any],
        data: PauseRequest | None = None,
    ) -> CounterView:
        reason = data.reason if data else ""
        return await self._counter_action(
            floor, principal, request, counter_id, "pause", cmd.pause_counter, reason=reason
        )

    @post("/counters/{counter_id:str}/close", status_code=200, summary="Close the counter")
    async def close(
        self, floor: Floor, principal: Principal, counter_id: str, request: Request[Any, Any, Any]
    ) -> CounterView:
        return await self._counter_action(floor, principal, request, counter_id, "close", cmd.close_counter)
