"""Everything that happens on the floor, as journal events.

An event is a fact about the past; the journal gives it an id. Times are UTC.
"""

from __future__ import annotations

from datetime import date, datetime

import msgspec


class Event(msgspec.Struct, frozen=True, tag_field="type", kw_only=True):
    at: datetime


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
