"""What the API returns: msgspec Structs built from the floor's state (they are the OpenAPI schema too)."""

from __future__ import annotations

from datetime import datetime

import msgspec

from server.floor import Floor
from ticketing import state as st
from ticketing.state import Ticket

NEXT_NUMBERS_SHOWN = 5


class TicketView(msgspec.Struct):
    id: str
    number: str
    status: str
    service_id: str
    service_name: str
    service_name_en: str
    agency_id: str
    agency_name: str
    queue_id: str
    priority: str | None
    position: int | None  # 1 = next to be called; None once called
    people_ahead: int | None
    estimated_wait_minutes: int | None  # expected minutes until the call
    estimated_wait_low: int | None  # a range that holds about 4 times in 5
    estimated_wait_high: int | None
    past_closing: bool  # the expected call falls after today's closing time
    issued_at: datetime
    called_at: datetime | None
    counter_id: str | None
    counter_label: str | None
    counter_number: int | None
    recalls: int
    status_url: str
    day: str
    phone_masked: str | None = None  # filled by the API for the visitor's own views; never on displays
    print_status: str = "none"  # none (screen only) | pending | printed | failed
    print_error: str = ""


class QueueView(msgspec.Struct):
    id: str
    agency_id: str
    name: str
    prefix: str
    waiting: int
    next: list[str]
    longest_wait_minutes: int
    estimated_wait_minutes: int
    counters_open: int


class CounterTicket(msgspec.Struct):
    id: str
    number: str
    status: str
    service_id: str
    service_name: str
    priority: str | None
    called_at: datetime | None
    started_at: datetime | None
    recalls: int


class CounterView(msgspec.Struct):
    id: str
    label: str
    number: int
    agency_id: str
    status: str
    pause_reason: str
    ticket: CounterTicket | None
    queues: list[QueueView]


class CallView(msgspec.Struct):
    event_id: int
    number: str
    counter_id: str
    counter_label: str
    counter_number: int
    at: datetime
    recall: bool


class FloorView(msgspec.Struct):
    mall_id: str
    mall_name: str
    day: str
    open: bool
    last_event_id: int
    queues: list[QueueView]
    counters: list[CounterView]
    recent_calls: list[CallView]


class ServiceView(msgspec.Struct):
    id: str
    name: str
    name_en: str
    queue_id: str
    open: bool
    daily_quota: int | None
    quota_left: int | None
    waiting: int
    estimated_wait_minutes: int  # for someone taking a ticket now
    estimated_wait_low: int
    estimated_wait_high: int
    past_closing: bool  # the wait would run past today's closing: the kiosk warns
    available: bool
    unavailable_reason: str | None  # "layanan tutup" or "kuota habis"


class AgencyView(msgspec.Struct):
    id: str
    name: str
    short_name: str
    prefix: str
    colour: str
    icon: str
    open: bool
    waiting: int
    services: list[ServiceView]


class KioskPrinter(msgspec.Struct):
    id: str
    status: str  # ok | paper_near_end | paper_out | offline | unknown
    usable: bool  # False: tickets are shown on screen only, and the kiosk says so first


class CatalogView(msgspec.Struct):
    mall_id: str
    mall_name: str
    languages: list[str]
    day: str
    open: bool
    agencies: list[AgencyView]
    printer: KioskPrinter | None = None  # the asking kiosk's printer


def ticket_view(floor: Floor, t: Ticket) -> TicketView:
    mall = floor.mall
    service = mall.services[t.service_id]
    position = floor.positions(t.queue_id).get(t.id) if t.status == st.WAITING else None
    estimate = floor.estimate(t.queue_id, position) if position else None
    counter = mall.counters.get(t.counter_id) if t.counter_id else None
    return TicketView(
        id=t.id,
        number=t.number,
        status=t.status,
        service_id=service.id,
        service_name=service.name,
        service_name_en=service.name_en,
        agency_id=t.agency_id,
        agency_name=mall.agencies[t.agency_id].short_name,
        queue_id=t.queue_id,
        priority=t.priority,
        position=position,
        people_ahead=position - 1 if position else None,
        estimated_wait_minutes=estimate.expected if estimate else None,
        estimated_wait_low=estimate.low if estimate else None,
        estimated_wait_high=estimate.high if estimate else None,
        past_closing=estimate.past_closing if estimate else False,
        issued_at=t.issued_at,
        called_at=t.called_at,
        counter_id=counter.id if counter else None,
        counter_label=counter.label if counter else None,
        counter_number=counter.number if counter else None,
        recalls=t.recalls,
        status_url=f"{mall.site.public_base_url}/t/{t.id}",
        day=floor.state.day.isoformat(),
        print_status=_print_status(t),
        print_error=t.print_error,
    )


def _print_status(t: Ticket) -> str:
    if not t.copies_ordered:
        return "none"
    if t.copies_done < t.copies_ordered:
        return "pending"
    return "printed" if t.copies_printed == t.copies_ordered else "failed"


def queue_view(floor: Floor, queue_id: str, now: datetime) -> QueueView:
    state = floor.state
    queue = floor.mall.queues[queue_id]
    waiting = state.queues[queue_id].waiting
    order = st.call_order(state, queue_id)[:NEXT_NUMBERS_SHOWN] if waiting else []
    return QueueView(
        id=queue.id,
        agency_id=queue.agency_id,
        name=queue.name,
        prefix=queue.prefix,
        waiting=waiting,
        next=[t.number for t in order],
        longest_wait_minutes=st.longest_wait_minutes(state, queue_id, now),
        estimated_wait_minutes=floor.estimate(queue_id).expected,
        counters_open=st.working_counters(state, queue_id),
    )


def counter_view(floor: Floor, counter_id: str, now: datetime, with_queues: bool = True) -> CounterView:
    counter = floor.mall.counters[counter_id]
    cs = floor.state.counters[counter_id]
    ticket = None
    if cs.ticket_id is not None:
        t = floor.state.tickets[cs.ticket_id]
        ticket = CounterTicket(
            id=t.id,
            number=t.number,
            status=t.status,
            service_id=t.service_id,
            service_name=floor.mall.services[t.service_id].name,
            priority=t.priority,
            called_at=t.called_at,
            started_at=t.started_at,
            recalls=t.recalls,
        )
    return CounterView(
        id=counter.id,
        label=counter.label,
        number=counter.number,
        agency_id=counter.agency_id,
        status=cs.status,
        pause_reason=cs.pause_reason,
        ticket=ticket,
        queues=[queue_view(floor, q, now) for q in counter.queue_ids] if with_queues else [],
    )


def floor_view(floor: Floor) -> FloorView:
    now = floor.clock()
    mall = floor.mall
    calls = []
    for c in floor.state.recent_calls:
        counter = mall.counters[c.counter_id]
        calls.append(CallView(c.event_id, c.number, counter.id, counter.label, counter.number, c.at, c.recall))
    return FloorView(
        mall_id=mall.id,
        mall_name=mall.site.name,
        day=floor.state.day.isoformat(),
        open=mall.is_open(now),
        last_event_id=floor.state.last_event_id,
        queues=[queue_view(floor, q, now) for q in mall.queues],
        counters=[counter_view(floor, c, now, with_queues=False) for c in mall.counters],
        recent_calls=calls,
    )


def catalog_view(floor: Floor, kiosk_id: str | None) -> CatalogView:
    now = floor.clock()
    mall = floor.mall
    state = floor.state
    is_open = mall.is_open(now)
    agencies = []
    for agency in mall.kiosk_agencies(kiosk_id):
        services = []
        for s in mall.services.values():
            if s.agency_id != agency.id:
                continue
            left = st.quota_left(state, s.id)
            waiting = state.queues[s.queue_id].waiting
            newcomer = floor.estimate(s.queue_id)
            reason = "layanan tutup" if not is_open else "kuota habis" if left == 0 else None
            services.append(
                ServiceView(
                    id=s.id,
                    name=s.name,
                    name_en=s.name_en,
                    queue_id=s.queue_id,
                    open=is_open,
                    daily_quota=s.daily_quota,
                    quota_left=left,
                    waiting=waiting,
                    estimated_wait_minutes=newcomer.expected,
                    estimated_wait_low=newcomer.low,
                    estimated_wait_high=newcomer.high,
                    past_closing=newcomer.past_closing,
                    available=reason is None,
                    unavailable_reason=reason,
                )
            )
        queue_ids = {s.queue_id for s in mall.services.values() if s.agency_id == agency.id}
        agencies.append(
            AgencyView(
                id=agency.id,
                name=agency.name,
                short_name=agency.short_name,
                prefix=agency.prefix,
                colour=agency.colour,
                icon=agency.icon,
                open=is_open,
                waiting=sum(state.queues[q].waiting for q in queue_ids),
                services=services,
            )
        )
    kiosk = mall.kiosks.get(kiosk_id or "")
    printer = None
    if kiosk is not None and kiosk.printer_id:
        status = state.printers.get(kiosk.printer_id, "unknown")
        printer = KioskPrinter(kiosk.printer_id, status, st.printer_usable(state, kiosk.printer_id))
    return CatalogView(
        mall_id=mall.id,
        mall_name=mall.site.name,
        languages=list(mall.site.languages),
        day=state.day.isoformat(),
        open=is_open,
        agencies=agencies,
        printer=printer,
    )
