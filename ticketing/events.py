"""Everything that happens on the floor, as journal events.

An event is a fact about the past; the journal gives it an id. Times are UTC.
"""

from __future__ import annotations

from datetime import date, datetime

import msgspec


class Event(msgspec.Struct, frozen=True, tag_field="type", kw_only=True):
    at: datetime
    by: str = ""  # who caused it ("kiosk:kiosk-1", "staff:loket01", "system"): the audit trail


class TicketIssued(Event, tag="ticket_issued", frozen=True, kw_only=True):
    ticket_id: str
    number: str
    seq: int
    queue_id: str
    service_id: str
    agency_id: str
    priority: str | None = None
    kiosk_id: str | None = None
    lang: str = "id"
    printer_id: str | None = None  # where its slip goes; None: shown on screen only


class TicketCalled(Event, tag="ticket_called", frozen=True, kw_only=True):
    ticket_id: str
    number: str
    counter_id: str
    queue_id: str
    specific: bool = False  # a supervisor picked it, so it does not count for anti-starvation


class TicketRecalled(Event, tag="ticket_recalled", frozen=True, kw_only=True):
    ticket_id: str
    number: str
    counter_id: str
    recalls: int


class ServiceStarted(Event, tag="service_started", frozen=True, kw_only=True):
    ticket_id: str
    number: str
    counter_id: str


class TicketServed(Event, tag="ticket_served", frozen=True, kw_only=True):
    ticket_id: str
    number: str
    counter_id: str


class TicketNoShow(Event, tag="ticket_no_show", frozen=True, kw_only=True):
    ticket_id: str
    number: str
    counter_id: str
    reason: str = "staff"  # or "recall_limit"


class TicketTransferred(Event, tag="ticket_transferred", frozen=True, kw_only=True):
    ticket_id: str
    number: str
    counter_id: str
    from_service_id: str
    service_id: str
    queue_id: str
    agency_id: str


class TicketReturned(Event, tag="ticket_returned", frozen=True, kw_only=True):
    ticket_id: str
    number: str
    counter_id: str


class TicketCancelled(Event, tag="ticket_cancelled", frozen=True, kw_only=True):
    ticket_id: str
    number: str


class CounterOpened(Event, tag="counter_opened", frozen=True, kw_only=True):
    counter_id: str


class CounterPaused(Event, tag="counter_paused", frozen=True, kw_only=True):
    counter_id: str
    reason: str = ""


class CounterClosed(Event, tag="counter_closed", frozen=True, kw_only=True):
    counter_id: str


class PrintStarted(Event, tag="print_started", frozen=True, kw_only=True):
    """A spooler claims one copy: compare-and-append makes sure only one process prints it."""

    ticket_id: str
    number: str
    printer_id: str
    copy: int


class TicketPrinted(Event, tag="ticket_printed", frozen=True, kw_only=True):
    ticket_id: str
    number: str
    printer_id: str
    copy: int = 1  # 2 and up: reprints


class PrintFailed(Event, tag="print_failed", frozen=True, kw_only=True):
    ticket_id: str
    number: str
    printer_id: str
    reason: str
    copy: int = 1


class ReprintRequested(Event, tag="reprint_requested", frozen=True, kw_only=True):
    ticket_id: str
    number: str
    by: str  # who asked: "kiosk:kiosk-1", "staff:spv-dukcapil"
    copy: int
    printer_id: str


class PrinterStatusChanged(Event, tag="printer_status", frozen=True, kw_only=True):
    printer_id: str
    status: str  # ok | paper_near_end | paper_out | offline | unknown
    detail: str = ""


AnyEvent = (
    TicketIssued
    | TicketCalled
    | TicketRecalled
    | ServiceStarted
    | TicketServed
    | TicketNoShow
    | TicketTransferred
    | TicketReturned
    | TicketCancelled
    | CounterOpened
    | CounterPaused
    | CounterClosed
    | PrintStarted
    | TicketPrinted
    | PrintFailed
    | ReprintRequested
    | PrinterStatusChanged
)


class Recorded(msgspec.Struct, frozen=True):
    """An event as the journal keeps it: its id, the mall's service day, and the idempotency key
    of the request that produced it (so a retry after a crash still has exactly one effect)."""

    id: int
    day: date
    event: AnyEvent
    key: str | None = None


_encoder = msgspec.json.Encoder()
_decoder: msgspec.json.Decoder[AnyEvent] = msgspec.json.Decoder(AnyEvent)


def encode_event(event: Event) -> bytes:
    return _encoder.encode(event)


def decode_event(data: bytes | str) -> AnyEvent:
    return _decoder.decode(data)
