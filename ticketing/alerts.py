"""Alerts for the floor manager: where the floor is stuck, computed from the state (pure, no I/O).

Alerts "fire and clear": nothing is stored, so an alert is there exactly while its condition holds.
Its `id` (`<kind>:<subject id>`) stays the same while it lasts, also when it turns from warning to
critical; `since` is when the condition began, as far as the state can tell:

- `queue_over_target` (subject: a queue): the longest current wait exceeds the smallest
  `target_wait_minutes` of the queue's services; critical past twice the target.
  `since` = the longest-waiting ticket's arrival + the target (a transferred ticket keeps its
  first arrival, as it keeps its place).
- `counter_idle` (subject: a counter): open, holding no ticket, while someone in one of its queues
  has waited more than `idle_grace_minutes`. `since` = the latest of: the counter's `since` (when it
  opened), the last time it let a ticket go (served or no-show) and the arrival of the oldest ticket
  waiting in its queues. An approximation: the state keeps no trace of a ticket transferred or
  returned to its queue, so such a release does not count, and `since` may be a little early.
- `counter_paused_long` (subject: a counter): paused longer than `pause_minutes`; critical past twice
  that. `since` = when the pause began (the counter's `since`).
- `printer_problem` (subject: a printer): its last status is `paper_out` or `offline` (critical) or
  `paper_near_end` (warning). The state keeps no time for a printer's status, so `alerts` gives
  `now`; `date_printer_alerts` puts in the time the problem began, from the day's journal records
  (the server does this; the dashboard should too).
- `quota_nearly_used` (subject: a service): a daily quota with at most `quota_left_share` of it
  left; critical once nothing is left ("kuota habis"). `since` = the issue time of the ticket that
  brought it there. An approximation: a transferred ticket no longer says which service it was
  issued for, so only tickets never transferred are counted (the latest of them when too few are
  left; `now` when none).

Sorted critical first, then oldest `since`, then id.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Literal

import msgspec

from ticketing import state as st
from ticketing.events import PrinterStatusChanged, Recorded
from ticketing.state import FloorState

Severity = Literal["warning", "critical"]
WARNING: Severity = "warning"
CRITICAL: Severity = "critical"

QUEUE_OVER_TARGET = "queue_over_target"
COUNTER_IDLE = "counter_idle"
COUNTER_PAUSED_LONG = "counter_paused_long"
PRINTER_PROBLEM = "printer_problem"
QUOTA_NEARLY_USED = "quota_nearly_used"
KINDS = (QUEUE_OVER_TARGET, COUNTER_IDLE, COUNTER_PAUSED_LONG, PRINTER_PROBLEM, QUOTA_NEARLY_USED)

# Printer status -> severity, and what to say (Indonesian, English).
PRINTER_PROBLEMS: dict[str, tuple[Severity, str, str]] = {
    "paper_out": (CRITICAL, "kertas habis", "out of paper"),
    "offline": (CRITICAL, "tidak terhubung", "offline"),
    "paper_near_end": (WARNING, "kertas hampir habis", "paper nearly out"),
}


class AlertLimits(msgspec.Struct, frozen=True):
    idle_grace_minutes: float = 3  # a counter idle while someone has waited longer than this
    pause_minutes: float = 30  # a pause longer than this (critical past twice)
    quota_left_share: float = 0.1  # a daily quota with at most this share left


class Alert(msgspec.Struct, frozen=True):
    id: str  # "<kind>:<subject_id>", stable while the condition lasts
    kind: str
    severity: Severity
    subject_id: str  # a queue, counter, printer or service id, as the kind says
    agency_id: str | None  # None for printers: they serve the whole floor
    message: str  # Bahasa Indonesia, then " / " and short English
    since: datetime  # when the condition began (UTC)


DEFAULT_LIMITS = AlertLimits()


def alerts(state: FloorState, now: datetime, limits: AlertLimits = DEFAULT_LIMITS) -> list[Alert]:
    """Every alert that holds on this floor at `now`: critical first, then oldest."""
    found = [
        *_queues_over_target(state, now),
        *_idle_counters(state, now, limits),
        *_long_pauses(state, now, limits),
        *_printer_problems(state, now),
        *_quotas(state, now, limits),
    ]
    return _sorted(found)


def date_printer_alerts(found: list[Alert], records: Iterable[Recorded]) -> list[Alert]:
    """`found` with each printer alert's `since` set to when its printer's problem began (the first of
    the problem statuses it has reported since it was last fine), read from the day's `records`."""
    if not any(a.kind == PRINTER_PROBLEM for a in found):
        return found
    began: dict[str, datetime] = {}
    for record in records:
        ev = record.event
        if isinstance(ev, PrinterStatusChanged):
            if ev.status not in PRINTER_PROBLEMS:
                began.pop(ev.printer_id, None)
            elif ev.printer_id not in began:
                began[ev.printer_id] = ev.at
    return _sorted(
        [
            msgspec.structs.replace(a, since=began[a.subject_id])
            if a.kind == PRINTER_PROBLEM and a.subject_id in began
            else a
            for a in found
        ]
    )


def _sorted(found: list[Alert]) -> list[Alert]:
    return sorted(found, key=lambda a: (a.severity != CRITICAL, a.since, a.id))


def _alert(
    kind: str, severity: Severity, subject_id: str, agency_id: str | None, message: str, since: datetime
) -> Alert:
    return Alert(f"{kind}:{subject_id}", kind, severity, subject_id, agency_id, message, since)


def _oldest_arrival(state: FloorState, queue_id: str) -> datetime | None:
    q = state.queues[queue_id]
    heads = [lane[0].arrived_at for lane in (q.priority, q.regular) if lane]
    return min(heads) if heads else None


def _whole_minutes(delta: timedelta) -> int:
    return int(delta.total_seconds() // 60)


def _queues_over_target(state: FloorState, now: datetime) -> list[Alert]:
    targets: dict[str, int] = {}
    for s in state.mall.services.values():
        targets[s.queue_id] = min(targets.get(s.queue_id, s.target_wait_minutes), s.target_wait_minutes)
    out = []
    for queue_id, target in targets.items():
        oldest = _oldest_arrival(state, queue_id)
        if oldest is None or now - oldest <= timedelta(minutes=target):
            continue
        waited = _whole_minutes(now - oldest)
        queue = state.mall.queues[queue_id]
        severity = CRITICAL if now - oldest > timedelta(minutes=2 * target) else WARNING
        message = (
            f"Antrian {queue.name}: tunggu terlama {waited} menit, target {target} menit"
            f" / {queue.name} queue: longest wait {waited} min, target {target} min"
        )
        since = oldest + timedelta(minutes=target)
        out.append(_alert(QUEUE_OVER_TARGET, severity, queue_id, queue.agency_id, message, since))
    return out


def _idle_counters(state: FloorState, now: datetime, limits: AlertLimits) -> list[Alert]:
    idle = [
        c
        for c in state.mall.counters.values()
        if state.counters[c.id].status == st.OPEN and state.counters[c.id].ticket_id is None
    ]
    if not idle:
        return []
    last_release: dict[str, datetime] = {}
    for t in state.tickets.values():
        if t.counter_id is not None and t.finished_at is not None:
            if t.counter_id not in last_release or t.finished_at > last_release[t.counter_id]:
                last_release[t.counter_id] = t.finished_at
    grace = timedelta(minutes=limits.idle_grace_minutes)
    out = []
    for counter in idle:
        arrivals = [a for a in (_oldest_arrival(state, q) for q in counter.queue_ids) if a is not None]
        if not arrivals or now - min(arrivals) <= grace:
            continue
        waiting = sum(state.queues[q].waiting for q in counter.queue_ids)
        began = [min(arrivals)]
        began += [t for t in (state.counters[counter.id].since, last_release.get(counter.id)) if t is not None]
        message = (
            f"{counter.label} kosong, {waiting} orang menunggu"
            f" / {counter.label} idle while {waiting} {'person waits' if waiting == 1 else 'people wait'}"
        )
        out.append(_alert(COUNTER_IDLE, WARNING, counter.id, counter.agency_id, message, max(began)))
    return out


def _long_pauses(state: FloorState, now: datetime, limits: AlertLimits) -> list[Alert]:
    out = []
    limit = timedelta(minutes=limits.pause_minutes)
    for counter in state.mall.counters.values():
        c = state.counters[counter.id]
        if c.status != st.PAUSED or c.since is None or now - c.since <= limit:
            continue
        minutes = _whole_minutes(now - c.since)
        severity = CRITICAL if now - c.since > 2 * limit else WARNING
        reason = f" ({c.pause_reason})" if c.pause_reason else ""
        message = f"{counter.label} dijeda {minutes} menit{reason} / {counter.label} paused for {minutes} min"
        out.append(_alert(COUNTER_PAUSED_LONG, severity, counter.id, counter.agency_id, message, c.since))
    return out


def _printer_problems(state: FloorState, now: datetime) -> list[Alert]:
    out = []
    for printer_id, status in sorted(state.printers.items()):
        problem = PRINTER_PROBLEMS.get(status)
        if problem is None:
            continue
        severity, indonesian, english = problem
        message = f"Printer {printer_id}: {indonesian} / Printer {printer_id}: {english}"
        out.append(_alert(PRINTER_PROBLEM, severity, printer_id, None, message, now))
    return out


def _quotas(state: FloorState, now: datetime, limits: AlertLimits) -> list[Alert]:
    out = []
    for service in state.mall.services.values():
        quota, left = service.daily_quota, st.quota_left(state, service.id)
        if quota is None or left is None:
            continue
        threshold = round(quota * limits.quota_left_share, 6)  # 0.29 * 100 is 28.999999999999996
        if left > threshold:
            continue
        # The ticket that brought it to the threshold: the n-th issued today.
        nth = max(1, quota - math.floor(threshold))
        issued = sorted(t.issued_at for t in state.tickets.values() if t.service_id == service.id and not t.transfers)
        since = issued[min(nth, len(issued)) - 1] if issued else now
        if left == 0:
            severity: Severity = CRITICAL
            message = f"Kuota {service.name} habis ({quota}) / {service.name_en}: daily quota used up ({quota})"
        else:
            severity = WARNING
            message = (
                f"Kuota {service.name} tinggal {left} dari {quota} / {service.name_en}: {left} of {quota} left today"
            )
        out.append(_alert(QUOTA_NEARLY_USED, severity, service.id, service.agency_id, message, since))
    return out
