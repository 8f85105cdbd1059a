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
    PrinterStatusChanged,
    PrintFailed,
    PrintStarted,
    ReprintRequested,
    ServiceStarted,
    TicketCalled,
    TicketCancelled,
    TicketIssued,
    TicketNoShow,
    TicketPrinted,
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
    kiosk_printer = state.mall.kiosks[kiosk_id].printer_id if kiosk_id is not None else None
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
            # A printer known to be out of paper or offline is skipped: the slip is shown on screen.
            printer_id=kiosk_printer if kiosk_printer and st.printer_usable(state, kiosk_printer) else None,
        )
    ]


def cancel_ticket(state: FloorState, *, ticket_id: str, now: datetime) -> list[Event]:
    t = _ticket(state, ticket_id)
    if t.status != st.WAITING:
        raise Conflict(f"Ticket {t.number} is {t.status} and can no longer be cancelled.", "not_waiting")
    return [TicketCancelled(at=now, ticket_id=t.id, number=t.number)]


# --- printing -------------------------------------------------------------------


def start_print(state: FloorState, *, ticket_id: str, printer_id: str, copy: int, now: datetime) -> list[Event]:
    """Claim one copy for printing; nothing when another spooler claimed it first."""
    t = _ticket(state, ticket_id)
    if copy <= t.copies_started or copy > t.copies_ordered:
        return []
    return [PrintStarted(at=now, ticket_id=t.id, number=t.number, printer_id=printer_id, copy=copy)]


def record_print(
    state: FloorState, *, ticket_id: str, printer_id: str, copy: int, now: datetime, error: str = ""
) -> list[Event]:
    """The outcome of printing one copy. A copy whose outcome is known already is not recorded twice."""
    t = _ticket(state, ticket_id)
    if copy > t.copies_ordered:
        raise Conflict(f"Copy {copy} of {t.number} was never ordered.", "not_ordered")
    if copy <= t.copies_done:
        return []
    if error:
        return [PrintFailed(at=now, ticket_id=t.id, number=t.number, printer_id=printer_id, reason=error, copy=copy)]
    return [TicketPrinted(at=now, ticket_id=t.id, number=t.number, printer_id=printer_id, copy=copy)]


def request_reprint(state: FloorState, *, ticket_id: str, by: str, now: datetime) -> list[Event]:
    t = _ticket(state, ticket_id)
    kiosk = state.mall.kiosks.get(t.kiosk_id or "")
    printer_id = t.printer_id or (kiosk.printer_id if kiosk else None)
    if printer_id is None:
        raise Conflict(
            f"{t.number} was not issued at a kiosk with a printer: there is nothing to reprint on.", "no_printer"
        )
    if not st.printer_usable(state, printer_id):
        raise Unavailable(
            f"Printer {printer_id} is {state.printers.get(printer_id)}: fix it first; "
            "the ticket stays valid on screen.",
            "printer_down",
        )
    if t.status not in (st.WAITING, st.CALLED, st.SERVING):
        raise Conflict(f"{t.number} is {t.status}: it no longer needs a slip.", "not_active")
    return [
        ReprintRequested(
            at=now, ticket_id=t.id, number=t.number, by=by, copy=t.copies_ordered + 1, printer_id=printer_id
        )
    ]


def printer_status(state: FloorState, *, printer_id: str, status: str, detail: str, now: datetime) -> list[Event]:
    """Journal a printer's status when it changes (not on every poll)."""
    if state.printers.get(printer_id, "unknown") == status and state.printer_details.get(printer_id, "") == detail:
        return []
    return [PrinterStatusChanged(at=now, printer_id=printer_id, status=status, detail=detail)]


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
