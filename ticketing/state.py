"""The floor's state as a fold of one service day's journal.

`apply` is the only writer. Queries here read; they never change the state.
"""

from __future__ import annotations

import bisect
import math
from collections import deque
from datetime import date, datetime

import msgspec

from ticketing.catalog import Mall
from ticketing.events import (
    AnyEvent,
    CounterClosed,
    CounterOpened,
    CounterPaused,
    PrinterStatusChanged,
    PrintFailed,
    PrintStarted,
    Recorded,
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

WAITING, CALLED, SERVING, SERVED, NO_SHOW, CANCELLED = "waiting", "called", "serving", "served", "no_show", "cancelled"
OPEN, PAUSED, CLOSED = "open", "paused", "closed"
# Service times kept per queue for the estimate: enough to follow the day, few enough to follow change.
RECENT_SERVICE_SAMPLES = 20
MIN_SAMPLES_FOR_ESTIMATE = 3


class Ticket(msgspec.Struct):
    id: str
    number: str
    seq: int
    service_id: str
    queue_id: str
    agency_id: str
    priority: str | None
    kiosk_id: str | None
    lang: str
    issued_at: datetime
    arrived_at: datetime  # kept across transfers: it decides the place in any queue
    status: str = WAITING
    counter_id: str | None = None
    called_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    recalls: int = 0
    transfers: int = 0
    printer_id: str | None = None
    copies_ordered: int = 0  # 1 when issued to a printer, +1 per reprint asked
    copies_started: int = 0  # copies a spooler has claimed
    copies_done: int = 0  # copies with an outcome (printed or failed)
    copies_printed: int = 0
    print_error: str = ""  # the last failure, until a copy prints

    @property
    def order_key(self) -> tuple[datetime, int, str]:
        return (self.arrived_at, self.seq, self.id)


class CounterState(msgspec.Struct):
    id: str
    status: str = CLOSED
    ticket_id: str | None = None
    pause_reason: str = ""
    since: datetime | None = None
    # For wait estimates (ticketing.estimates): when the current ticket was first called here, today's
    # calls per queue, and per queue the recent times a visitor held this counter (first call to done).
    busy_since: datetime | None = None
    calls: dict[str, int] = msgspec.field(default_factory=dict)
    held_seconds: dict[str, deque[float]] = msgspec.field(default_factory=dict)


class QueueState(msgspec.Struct):
    id: str
    next_seq: int = 1
    # Waiting tickets, each list in arrival order (transfers keep their original arrival).
    priority: list[Ticket] = msgspec.field(default_factory=list)
    regular: list[Ticket] = msgspec.field(default_factory=list)
    priority_streak: int = 0
    service_seconds: deque[float] = msgspec.field(default_factory=lambda: deque(maxlen=RECENT_SERVICE_SAMPLES))

    @property
    def waiting(self) -> int:
        return len(self.priority) + len(self.regular)


class RecentCall(msgspec.Struct, frozen=True):
    event_id: int
    ticket_id: str
    number: str
    counter_id: str
    at: datetime
    recall: bool


class FloorState(msgspec.Struct):
    mall: Mall
    day: date
    last_event_id: int = 0
    tickets: dict[str, Ticket] = msgspec.field(default_factory=dict)
    counters: dict[str, CounterState] = msgspec.field(default_factory=dict)
    queues: dict[str, QueueState] = msgspec.field(default_factory=dict)
    issued_per_service: dict[str, int] = msgspec.field(default_factory=dict)
    recent_calls: deque[RecentCall] = msgspec.field(default_factory=deque)
    printers: dict[str, str] = msgspec.field(default_factory=dict)  # printer id -> last known status
    printer_details: dict[str, str] = msgspec.field(default_factory=dict)  # ... and what it said


def new_day(mall: Mall, day: date, last_event_id: int = 0) -> FloorState:
    """An empty floor for `day`: every counter closed, numbering from 1."""
    return FloorState(
        mall=mall,
        day=day,
        last_event_id=last_event_id,
        counters={c: CounterState(c) for c in mall.counters},
        queues={q: QueueState(q) for q in mall.queues},
        recent_calls=deque(maxlen=mall.site.recent_calls),
    )


def replay(mall: Mall, day: date, records: list[Recorded], last_event_id: int = 0) -> FloorState:
    state = new_day(mall, day, last_event_id)
    for record in records:
        apply(state, record)
    return state


# --- the fold -------------------------------------------------------------------


def apply(state: FloorState, record: Recorded) -> None:
    """Apply one journal record. Records at or below the last applied id are ignored (replays are harmless)."""
    if record.id <= state.last_event_id:
        return
    if record.day != state.day:
        raise ValueError(f"record {record.id} belongs to {record.day}, the state to {state.day}")
    _apply_event(state, record.event, record.id)
    state.last_event_id = record.id


def _apply_event(state: FloorState, ev: AnyEvent, event_id: int) -> None:
    match ev:
        case TicketIssued():
            t = Ticket(
                id=ev.ticket_id,
                number=ev.number,
                seq=ev.seq,
                service_id=ev.service_id,
                queue_id=ev.queue_id,
                agency_id=ev.agency_id,
                priority=ev.priority,
                kiosk_id=ev.kiosk_id,
                lang=ev.lang,
                issued_at=ev.at,
                arrived_at=ev.at,
                printer_id=ev.printer_id,
                copies_ordered=1 if ev.printer_id else 0,
            )
            state.tickets[t.id] = t
            q = state.queues[ev.queue_id]
            q.next_seq = max(q.next_seq, ev.seq + 1)
            state.issued_per_service[ev.service_id] = state.issued_per_service.get(ev.service_id, 0) + 1
            _enqueue(state, t)
        case TicketCalled():
            t = state.tickets[ev.ticket_id]
            q = state.queues[t.queue_id]
            _dequeue(state, t)
            if not ev.specific:
                q.priority_streak = q.priority_streak + 1 if t.priority else 0
            t.status, t.counter_id, t.called_at = CALLED, ev.counter_id, ev.at
            _counter_takes(state, ev.counter_id, t.id, ev.at)
            state.recent_calls.appendleft(RecentCall(event_id, t.id, t.number, ev.counter_id, ev.at, recall=False))
        case TicketRecalled():
            t = state.tickets[ev.ticket_id]
            t.recalls, t.called_at = ev.recalls, ev.at
            state.recent_calls.appendleft(RecentCall(event_id, t.id, t.number, ev.counter_id, ev.at, recall=True))
        case ServiceStarted():
            t = state.tickets[ev.ticket_id]
            t.status, t.started_at = SERVING, ev.at
        case TicketServed():
            t = state.tickets[ev.ticket_id]
            t.status, t.finished_at = SERVED, ev.at
            if t.started_at is not None:
                state.queues[t.queue_id].service_seconds.append((ev.at - t.started_at).total_seconds())
            _counter_frees(state, ev.counter_id, ev.at)
        case TicketNoShow():
            t = state.tickets[ev.ticket_id]
            t.status, t.finished_at = NO_SHOW, ev.at
            _counter_frees(state, ev.counter_id, ev.at)
        case TicketTransferred():
            t = state.tickets[ev.ticket_id]
            _counter_frees(state, ev.counter_id, ev.at)
            t.service_id, t.queue_id, t.agency_id = ev.service_id, ev.queue_id, ev.agency_id
            t.transfers += 1
            _back_to_waiting(state, t)
        case TicketReturned():
            t = state.tickets[ev.ticket_id]
            _counter_frees(state, ev.counter_id, ev.at)
            _back_to_waiting(state, t)
        case TicketCancelled():
            t = state.tickets[ev.ticket_id]
            _dequeue(state, t)
            t.status, t.finished_at = CANCELLED, ev.at
        case PrintStarted():
            t = state.tickets[ev.ticket_id]
            t.copies_started = max(t.copies_started, ev.copy)
        case TicketPrinted():
            t = state.tickets[ev.ticket_id]
            t.copies_printed, t.print_error = max(t.copies_printed, ev.copy), ""
            t.copies_done = max(t.copies_done, ev.copy)
        case PrintFailed():
            t = state.tickets[ev.ticket_id]
            t.print_error, t.copies_done = ev.reason, max(t.copies_done, ev.copy)
        case ReprintRequested():
            t = state.tickets[ev.ticket_id]
            t.copies_ordered = max(t.copies_ordered, ev.copy)
            t.printer_id = ev.printer_id
        case PrinterStatusChanged():
            state.printers[ev.printer_id] = ev.status
            state.printer_details[ev.printer_id] = ev.detail
        case CounterOpened():
            c = state.counters[ev.counter_id]
            c.status, c.pause_reason, c.since = OPEN, "", ev.at
        case CounterPaused():
            c = state.counters[ev.counter_id]
            c.status, c.pause_reason, c.since = PAUSED, ev.reason, ev.at
        case CounterClosed():
            c = state.counters[ev.counter_id]
            c.status, c.pause_reason, c.since = CLOSED, "", ev.at


def _lane(q: QueueState, t: Ticket) -> list[Ticket]:
    return q.priority if t.priority else q.regular


def _enqueue(state: FloorState, t: Ticket) -> None:
    bisect.insort(_lane(state.queues[t.queue_id], t), t, key=lambda x: x.order_key)


def _dequeue(state: FloorState, t: Ticket) -> None:
    lane = _lane(state.queues[t.queue_id], t)
    i = bisect.bisect_left(lane, t.order_key, key=lambda x: x.order_key)
    if i < len(lane) and lane[i] is t:
        del lane[i]


def _back_to_waiting(state: FloorState, t: Ticket) -> None:
    t.status, t.counter_id, t.called_at, t.started_at, t.recalls = WAITING, None, None, None, 0
    _enqueue(state, t)


def _counter_takes(state: FloorState, counter_id: str, ticket_id: str, at: datetime) -> None:
    c = state.counters[counter_id]
    if c.status != OPEN:
        c.status, c.pause_reason, c.since = OPEN, "", at
    c.ticket_id = ticket_id
    c.busy_since = at
    queue_id = state.tickets[ticket_id].queue_id
    c.calls[queue_id] = c.calls.get(queue_id, 0) + 1


def _counter_frees(state: FloorState, counter_id: str, at: datetime) -> None:
    c = state.counters[counter_id]
    if c.ticket_id is not None and c.busy_since is not None:
        queue_id = state.tickets[c.ticket_id].queue_id
        held = c.held_seconds.setdefault(queue_id, deque(maxlen=RECENT_SERVICE_SAMPLES))
        held.append((at - c.busy_since).total_seconds())
    c.ticket_id, c.busy_since = None, None


# --- queries --------------------------------------------------------------------


def call_order(state: FloorState, queue_id: str) -> list[Ticket]:
    """Waiting tickets in the order this queue will call them: priority first, but never more
    than `priority_max_in_row` priority calls in a row while a regular visitor waits."""
    q = state.queues[queue_id]
    limit = state.mall.site.priority_max_in_row
    out: list[Ticket] = []
    p, r, streak = 0, 0, q.priority_streak
    while p < len(q.priority) and r < len(q.regular):
        if streak < limit:
            out.append(q.priority[p])
            p, streak = p + 1, streak + 1
        else:
            out.append(q.regular[r])
            r, streak = r + 1, 0
    out.extend(q.priority[p:])
    out.extend(q.regular[r:])
    return out


def next_in_queue(state: FloorState, queue_id: str) -> Ticket | None:
    q = state.queues[queue_id]
    if not q.priority:
        return q.regular[0] if q.regular else None
    if not q.regular or q.priority_streak < state.mall.site.priority_max_in_row:
        return q.priority[0]
    return q.regular[0]


def service_minutes(state: FloorState, queue_id: str) -> float:
    """Minutes one visitor takes in this queue: today's recent mean once there are a few, else the configured figure."""
    samples = state.queues[queue_id].service_seconds
    if len(samples) >= MIN_SAMPLES_FOR_ESTIMATE:
        return sum(samples) / len(samples) / 60
    configured = [s.service_minutes for s in state.mall.services.values() if s.queue_id == queue_id]
    return sum(configured) / len(configured) if configured else state.mall.site.service_minutes


def working_counters(state: FloorState, queue_id: str) -> int:
    return sum(1 for c in state.mall.counters_serving(queue_id) if state.counters[c.id].status == OPEN)


def estimate_minutes(state: FloorState, queue_id: str, position: int) -> int:
    """First estimate of the wait for the visitor at `position` (1 = next): the visitors up to and
    including them shared over the counters working this queue (at least one)."""
    counters = max(1, working_counters(state, queue_id))
    # Rounded first, so float noise (25 * 2.2 = 55.00000000000001) does not add a minute.
    return math.ceil(round(position * service_minutes(state, queue_id) / counters, 6))


def positions(state: FloorState, queue_id: str) -> dict[str, int]:
    return {t.id: i for i, t in enumerate(call_order(state, queue_id), start=1)}


def longest_wait_minutes(state: FloorState, queue_id: str, now: datetime) -> int:
    q = state.queues[queue_id]
    heads = [lane[0].arrived_at for lane in (q.priority, q.regular) if lane]
    return int((now - min(heads)).total_seconds() // 60) if heads else 0


def quota_left(state: FloorState, service_id: str) -> int | None:
    quota = state.mall.services[service_id].daily_quota
    if quota is None:
        return None
    return max(0, quota - state.issued_per_service.get(service_id, 0))


UNUSABLE_PRINTER = ("paper_out", "offline")


def printer_usable(state: FloorState, printer_id: str) -> bool:
    """Unknown counts as usable: a print that then fails is shown on screen all the same."""
    return state.printers.get(printer_id, "unknown") not in UNUSABLE_PRINTER


def print_jobs(state: FloorState, printer_id: str, unclaimed_only: bool = True) -> list[tuple[Ticket, int]]:
    """Copies ordered for this printer and not yet claimed (or, with unclaimed_only=False, not yet
    printed or failed), oldest first."""
    return [
        (t, copy)
        for t in state.tickets.values()
        if t.printer_id == printer_id
        for copy in range((t.copies_started if unclaimed_only else t.copies_done) + 1, t.copies_ordered + 1)
    ]


def interrupted_prints(state: FloorState, printer_id: str) -> list[tuple[Ticket, int]]:
    """Copies claimed but with no outcome: their spooler died mid-print."""
    return [
        (t, copy)
        for t in state.tickets.values()
        if t.printer_id == printer_id
        for copy in range(t.copies_done + 1, t.copies_started + 1)
    ]


def format_number(prefix: str, seq: int) -> str:
    """`A001`..`A999`, then `A1000`: three digits, growing past 999."""
    return f"{prefix}{seq:03d}"
