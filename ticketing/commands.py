"""Commands: read the state, decide, and return the events to append (or refuse).

Nothing here changes the state; the caller appends the events and folds them in.
"""

from __future__ import annotations

from datetime import datetime

from ticketing import state as st
from ticketing.catalog import PRIORITY_CLASSES, Counter, Service
from ticketing.errors import Conflict, Invalid, NotFound, Unavailable
from ticketing.events import (
    CounterClosed,
    CounterOpened,
    CounterPaused,
    Event,
    ServiceStarted,
    TicketCalled,
    TicketCancelled,
    TicketIssued,
    TicketNoShow,
    TicketRecalled,
    TicketReturned,
    TicketServed,
    TicketTransferred,
)
from ticketing.state import FloorState, Ticket

LANGUAGES = ("id", "en")


def _service(state: FloorState, service_id: str) -> Service:
    service = state.mall.services.get(service_id)
    if service is None:
        raise NotFound(f"Layanan '{service_id}' tidak ada. Unknown service '{service_id}': pick one from /api/catalog.")
    return service


def _counter(state: FloorState, counter_id: str) -> Counter:
    counter = state.mall.counters.get(counter_id)
    if counter is None:
        raise NotFound(f"Unknown counter '{counter_id}': use a counter id from /api/floor.")
    return counter


def _ticket(state: FloorState, ticket_id: str) -> Ticket:
    ticket = state.tickets.get(ticket_id)
    if ticket is None:
        raise NotFound("Tiket tidak ditemukan untuk hari ini. No ticket with that id today.")
    return ticket


def _current(state: FloorState, counter_id: str, action: str) -> Ticket:
    counter = _counter(state, counter_id)
    ticket_id = state.counters[counter_id].ticket_id
    if ticket_id is None:
        raise Conflict(f"{counter.label} has no ticket to {action}: call the next number first.", "no_current_ticket")
    return state.tickets[ticket_id]


def _free(state: FloorState, counter: Counter, action: str) -> None:
    ticket_id = state.counters[counter.id].ticket_id
    if ticket_id is not None:
        t = state.tickets[ticket_id]
        raise Conflict(
            f"{counter.label} still has {t.number} ({t.status}): finish it, mark it no-show, "
            f"transfer or return it before you {action}.",
            "counter_busy",
        )


# --- visitors -----------------------------------------------------------------


def issue_ticket(
    state: FloorState,
    *,
    service_id: str,
    ticket_id: str,
    now: datetime,
    priority: str | None = None,
    kiosk_id: str | None = None,
    lang: str = "id",
) -> list[Event]:
    service = _service(state, service_id)
    if priority is not None and priority not in PRIORITY_CLASSES:
        raise Invalid(f"Unknown priority '{priority}': use one of {', '.join(PRIORITY_CLASSES)}, or leave it out.")
    if lang not in LANGUAGES:
        raise Invalid(f"Unknown language '{lang}': use 'id' or 'en'.")
    if kiosk_id is not None:
        kiosk = state.mall.kiosks.get(kiosk_id)
        if kiosk is None:
            raise NotFound(f"Unknown kiosk '{kiosk_id}'.")
        if kiosk.agency_ids and service.agency_id not in kiosk.agency_ids:
            raise Invalid(f"Kiosk '{kiosk_id}' does not offer {state.mall.agencies[service.agency_id].short_name}.")
    if not state.mall.is_open(now):
        raise Unavailable("Layanan tutup: the mall is closed now. Come back during opening hours.", "closed")
    if st.quota_left(state, service_id) == 0:
        raise Unavailable(f"Kuota habis: today's quota for {service.name} is used up. Come back tomorrow.", "quota")
    queue = state.mall.queues[service.queue_id]
    seq = state.queues[queue.id].next_seq
    return [
        TicketIssued(
            at=now,
            ticket_id=ticket_id,
            number=st.format_number(queue.prefix, seq),
            seq=seq,
            queue_id=queue.id,
            service_id=service.id,
            agency_id=service.agency_id,
            priority=priority,
            kiosk_id=kiosk_id,
            lang=lang,
        )
    ]


def cancel_ticket(state: FloorState, *, ticket_id: str, now: datetime) -> list[Event]:
    t = _ticket(state, ticket_id)
    if t.status != st.WAITING:
        raise Conflict(f"Ticket {t.number} is {t.status} and can no longer be cancelled.", "not_waiting")
    return [TicketCancelled(at=now, ticket_id=t.id, number=t.number)]


# --- counters -------------------------------------------------------------------


def pick_next(state: FloorState, counter: Counter) -> Ticket | None:
    """The counter's queues in configured order; inside one group, the longest wait first."""
    for tier in counter.queue_tiers:
        heads = [t for t in (st.next_in_queue(state, q) for q in tier) if t is not None]
        if heads:
            return min(heads, key=lambda t: t.order_key)
    return None


def _opening(state: FloorState, counter: Counter, now: datetime) -> list[Event]:
    return [] if state.counters[counter.id].status == st.OPEN else [CounterOpened(at=now, counter_id=counter.id)]


def call_next(state: FloorState, *, counter_id: str, now: datetime) -> list[Event]:
    """Call the next visitor. Pressing it also opens a closed or paused counter.
    Returns no TicketCalled when nobody waits."""
    counter = _counter(state, counter_id)
    _free(state, counter, "call the next number")
    ticket = pick_next(state, counter)
    if ticket is None:
        return []
    return [
        *_opening(state, counter, now),
        TicketCalled(
            at=now, ticket_id=ticket.id, number=ticket.number, counter_id=counter.id, queue_id=ticket.queue_id
        ),
    ]


def call_specific(state: FloorState, *, counter_id: str, ticket_id: str, now: datetime) -> list[Event]:
    counter = _counter(state, counter_id)
    ticket = _ticket(state, ticket_id)
    _free(state, counter, "call another number")
    if ticket.status != st.WAITING:
        raise Conflict(
            f"Ticket {ticket.number} is {ticket.status}, not waiting: only a waiting ticket can be called.",
            "not_waiting",
        )
    if ticket.queue_id not in counter.queue_ids:
        raise Conflict(
            f"{counter.label} does not serve the queue of {ticket.number}: "
            "transfer the ticket to one of its services first.",
            "wrong_queue",
        )
    return [
        *_opening(state, counter, now),
        TicketCalled(
            at=now,
            ticket_id=ticket.id,
            number=ticket.number,
            counter_id=counter.id,
            queue_id=ticket.queue_id,
            specific=True,
        ),
    ]


def recall(state: FloorState, *, counter_id: str, now: datetime) -> list[Event]:
    """Call the current ticket again. Past the recall limit the visitor is marked no-show instead."""
    t = _current(state, counter_id, "recall")
    if t.status != st.CALLED:
        raise Conflict(f"{t.number} is already being served: there is no one to recall.", "not_called")
    if t.recalls >= state.mall.site.recall_limit:
        return [TicketNoShow(at=now, ticket_id=t.id, number=t.number, counter_id=counter_id, reason="recall_limit")]
    return [TicketRecalled(at=now, ticket_id=t.id, number=t.number, counter_id=counter_id, recalls=t.recalls + 1)]


def start_service(state: FloorState, *, counter_id: str, now: datetime) -> list[Event]:
    t = _current(state, counter_id, "start")
    if t.status != st.CALLED:
        raise Conflict(f"Service for {t.number} has already started.", "already_started")
    return [ServiceStarted(at=now, ticket_id=t.id, number=t.number, counter_id=counter_id)]


def finish(state: FloorState, *, counter_id: str, now: datetime) -> list[Event]:
    t = _current(state, counter_id, "finish")
    if t.status != st.SERVING:
        raise Conflict(
            f"Service for {t.number} was never started: press start first, or mark it no-show.", "not_started"
        )
    return [TicketServed(at=now, ticket_id=t.id, number=t.number, counter_id=counter_id)]


def no_show(state: FloorState, *, counter_id: str, now: datetime) -> list[Event]:
    t = _current(state, counter_id, "mark as no-show")
    if t.status != st.CALLED:
        raise Conflict(
            f"{t.number} is being served, so the visitor came: finish or transfer instead.", "already_started"
        )
    return [TicketNoShow(at=now, ticket_id=t.id, number=t.number, counter_id=counter_id)]


def transfer(state: FloorState, *, counter_id: str, service_id: str, now: datetime) -> list[Event]:
    t = _current(state, counter_id, "transfer")
    service = _service(state, service_id)
    if service.id == t.service_id:
        raise Invalid(f"{t.number} is already for {service.name}: choose another service, or return it to its queue.")
    return [
        TicketTransferred(
            at=now,
            ticket_id=t.id,
            number=t.number,
            counter_id=counter_id,
            from_service_id=t.service_id,
            service_id=service.id,
            queue_id=service.queue_id,
            agency_id=service.agency_id,
        )
    ]


def return_to_queue(state: FloorState, *, counter_id: str, now: datetime) -> list[Event]:
    t = _current(state, counter_id, "return to the queue")
    return [TicketReturned(at=now, ticket_id=t.id, number=t.number, counter_id=counter_id)]


def open_counter(state: FloorState, *, counter_id: str, now: datetime) -> list[Event]:
    return _opening(state, _counter(state, counter_id), now)


def pause_counter(state: FloorState, *, counter_id: str, now: datetime, reason: str = "") -> list[Event]:
    counter = _counter(state, counter_id)
    if len(reason) > 200:
        raise Invalid("The pause reason is too long: keep it under 200 characters.")
    _free(state, counter, "pause")
    if state.counters[counter_id].status == st.CLOSED:
        raise Conflict(f"{counter.label} is closed: open it before pausing.", "closed")
    return [CounterPaused(at=now, counter_id=counter_id, reason=reason.strip())]


def close_counter(state: FloorState, *, counter_id: str, now: datetime) -> list[Event]:
    counter = _counter(state, counter_id)
    _free(state, counter, "close")
    if state.counters[counter_id].status == st.CLOSED:
        return []
    return [CounterClosed(at=now, counter_id=counter_id)]
