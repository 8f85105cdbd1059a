"""A day's statistics as a fold of its journal: pure, no I/O.

Definitions (what a manager reads):
- a *visit* is a ticket's stay in one queue: from its issue (or its transfer or return into the
  queue) to the call the visitor answered; after a recall, the last call is the one that counts;
- *waiting time* is a visit's length, for visits that reached a counter (service started) or
  ended as a no-show; it belongs to the service the visit was for;
- *service time* is from service start to finish, and belongs to the service, the counter and the
  staff member who finished it;
- *service level* is the share of answered visits called within the service's target wait;
- a counter is *open* from `counter_opened` (or its first call) to a pause or close, *busy* while it
  holds a ticket, *idle* when open and not busy, *paused* between a pause and the next open.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import datetime, timedelta

import msgspec

from ticketing.catalog import Mall
from ticketing.events import (
    CounterClosed,
    CounterOpened,
    CounterPaused,
    Recorded,
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


class Figures(msgspec.Struct):
    """Minutes: count, mean, median, 90th percentile (nearest rank) and maximum."""

    count: int = 0
    mean: float | None = None
    median: float | None = None
    p90: float | None = None
    max: float | None = None


def figures(values: list[float]) -> Figures:
    if not values:
        return Figures()
    ordered = sorted(values)
    n = len(ordered)
    middle = n // 2
    median = ordered[middle] if n % 2 else (ordered[middle - 1] + ordered[middle]) / 2
    return Figures(
        count=n,
        mean=round(sum(ordered) / n, 2),
        median=round(median, 2),
        p90=round(ordered[max(0, math.ceil(0.9 * n) - 1)], 2),
        max=round(ordered[-1], 2),
    )


class Tally(msgspec.Struct):
    """Figures for one service, agency, counter or staff member."""

    issued: int = 0
    served: int = 0
    no_shows: int = 0
    transferred_out: int = 0
    cancelled: int = 0
    recalls: int = 0
    within_target: int = 0
    answered: int = 0  # visits that reached a counter or ended as a no-show
    waits: list[float] = msgspec.field(default_factory=list)
    service_times: list[float] = msgspec.field(default_factory=list)

    @property
    def service_level(self) -> float | None:
        return round(self.within_target / self.answered, 4) if self.answered else None


class CounterTime(msgspec.Struct):
    """Minutes a counter spent in each state."""

    open: float = 0.0
    busy: float = 0.0
    paused: float = 0.0

    @property
    def idle(self) -> float:
        return round(max(0.0, self.open - self.busy), 2)


class DayStats(msgspec.Struct):
    day: str
    services: dict[str, Tally]
    agencies: dict[str, Tally]
    counters: dict[str, Tally]
    staff: dict[str, Tally]
    counter_time: dict[str, CounterTime]
    arrivals_by_hour: dict[int, int]  # local hour -> tickets issued
    served_by_hour: dict[int, int]  # local hour -> services finished


class _Visit(msgspec.Struct):
    service_id: str
    since: datetime
    called_at: datetime | None = None


def _minutes(delta: timedelta) -> float:
    return round(delta.total_seconds() / 60, 2)


def day_stats(mall: Mall, records: Iterable[Recorded], until: datetime) -> DayStats:
    """Fold one service day's records. Open intervals (a counter still open) are counted up to `until`."""
    services = {s: Tally() for s in mall.services}
    agencies = {a: Tally() for a in mall.agencies}
    counters = {c: Tally() for c in mall.counters}
    staff: dict[str, Tally] = {}
    time = {c: CounterTime() for c in mall.counters}
    arrivals: dict[int, int] = {}
    served_hours: dict[int, int] = {}
    visits: dict[str, _Visit] = {}
    current: dict[str, str] = {}  # ticket -> the service it is for now
    started: dict[str, datetime] = {}
    open_since: dict[str, datetime] = {}
    paused_since: dict[str, datetime] = {}
    busy_since: dict[str, datetime] = {}
    day = ""

    def by(tallies: dict[str, Tally], key: str) -> Tally:
        return tallies.setdefault(key, Tally())

    def agency_of(service_id: str) -> Tally:
        return agencies[mall.services[service_id].agency_id]

    def answer(ticket_id: str, at: datetime) -> None:
        """The visit reached its end at a counter: its wait counts."""
        visit = visits.pop(ticket_id, None)
        if visit is None or visit.called_at is None:
            return
        wait = _minutes(visit.called_at - visit.since)
        target = mall.services[visit.service_id].target_wait_minutes
        for tally in (services[visit.service_id], agency_of(visit.service_id)):
            tally.waits.append(wait)
            tally.answered += 1
            tally.within_target += wait <= target

    def counter_opens(counter_id: str, at: datetime) -> None:
        if counter_id in paused_since:
            time[counter_id].paused += _minutes(at - paused_since.pop(counter_id))
        open_since.setdefault(counter_id, at)

    def counter_stops(counter_id: str, at: datetime) -> None:
        if counter_id in open_since:
            time[counter_id].open += _minutes(at - open_since.pop(counter_id))

    def counter_frees(counter_id: str, at: datetime) -> None:
        if counter_id in busy_since:
            time[counter_id].busy += _minutes(at - busy_since.pop(counter_id))

    for record in records:
        day = record.day.isoformat()
        ev = record.event
        match ev:
            case TicketIssued():
                visits[ev.ticket_id] = _Visit(ev.service_id, ev.at)
                current[ev.ticket_id] = ev.service_id
                services[ev.service_id].issued += 1
                agency_of(ev.service_id).issued += 1
                hour = mall.local(ev.at).hour
                arrivals[hour] = arrivals.get(hour, 0) + 1
            case TicketCalled():
                counter_opens(ev.counter_id, ev.at)
                busy_since[ev.counter_id] = ev.at
                if ev.ticket_id in visits:
                    visits[ev.ticket_id].called_at = ev.at
            case TicketRecalled():
                if ev.ticket_id in visits:
                    visits[ev.ticket_id].called_at = ev.at
                    service_id = visits[ev.ticket_id].service_id
                    for tally in (services[service_id], agency_of(service_id), counters[ev.counter_id]):
                        tally.recalls += 1
            case ServiceStarted():
                answer(ev.ticket_id, ev.at)
                started[ev.ticket_id] = ev.at
            case TicketServed():
                counter_frees(ev.counter_id, ev.at)
                begun = started.pop(ev.ticket_id, None)
                service_id = current[ev.ticket_id]
                tallies = [services[service_id], agency_of(service_id), counters[ev.counter_id], by(staff, ev.by)]
                for tally in tallies:
                    tally.served += 1
                    if begun is not None:
                        tally.service_times.append(_minutes(ev.at - begun))
                hour = mall.local(ev.at).hour
                served_hours[hour] = served_hours.get(hour, 0) + 1
            case TicketNoShow():
                counter_frees(ev.counter_id, ev.at)
                service_id = current[ev.ticket_id]
                answer(ev.ticket_id, ev.at)
                for tally in (services[service_id], agency_of(service_id), counters[ev.counter_id], by(staff, ev.by)):
                    tally.no_shows += 1
            case TicketTransferred():
                counter_frees(ev.counter_id, ev.at)
                answer(ev.ticket_id, ev.at)  # the visitor came to the counter: that visit was answered
                started.pop(ev.ticket_id, None)
                current[ev.ticket_id] = ev.service_id
                services[ev.from_service_id].transferred_out += 1
                agency_of(ev.from_service_id).transferred_out += 1
                visits[ev.ticket_id] = _Visit(ev.service_id, ev.at)
            case TicketReturned():
                counter_frees(ev.counter_id, ev.at)
                started.pop(ev.ticket_id, None)
                service_id = current[ev.ticket_id]
                visits[ev.ticket_id] = _Visit(service_id, ev.at)
            case TicketCancelled():
                visits.pop(ev.ticket_id, None)
                service_id = current[ev.ticket_id]
                services[service_id].cancelled += 1
                agency_of(service_id).cancelled += 1
            case CounterOpened():
                counter_opens(ev.counter_id, ev.at)
            case CounterPaused():
                counter_stops(ev.counter_id, ev.at)
                paused_since.setdefault(ev.counter_id, ev.at)
            case CounterClosed():
                counter_stops(ev.counter_id, ev.at)
                paused_since.pop(ev.counter_id, None)
    for counter_id in list(open_since):
        counter_stops(counter_id, until)
    for counter_id in list(busy_since):
        counter_frees(counter_id, until)
    for counter_id, since in paused_since.items():
        time[counter_id].paused += _minutes(until - since)
    return DayStats(day, services, agencies, counters, staff, time, arrivals, served_hours)


def merge(days: list[DayStats]) -> DayStats:
    """Several days' figures as one (for a date range): counts and times add up, waits pool together."""
    if not days:
        raise ValueError("no day to merge")

    def tallies(group: str) -> dict[str, Tally]:
        out: dict[str, Tally] = {}
        for d in days:
            for key, t in getattr(d, group).items():
                m = out.setdefault(key, Tally())
                for field in ("issued", "served", "no_shows", "transferred_out", "cancelled", "recalls"):
                    setattr(m, field, getattr(m, field) + getattr(t, field))
                m.within_target += t.within_target
                m.answered += t.answered
                m.waits.extend(t.waits)
                m.service_times.extend(t.service_times)
        return out

    def hours(group: str) -> dict[int, int]:
        out: dict[int, int] = {}
        for d in days:
            for hour, n in getattr(d, group).items():
                out[hour] = out.get(hour, 0) + n
        return out

    time: dict[str, CounterTime] = {}
    for d in days:
        for key, ct in d.counter_time.items():
            m = time.setdefault(key, CounterTime())
            m.open, m.busy, m.paused = m.open + ct.open, m.busy + ct.busy, m.paused + ct.paused
    return DayStats(
        day=days[0].day,
        services=tallies("services"),
        agencies=tallies("agencies"),
        counters=tallies("counters"),
        staff=tallies("staff"),
        counter_time=time,
        arrivals_by_hour=hours("arrivals_by_hour"),
        served_by_hour=hours("served_by_hour"),
    )
