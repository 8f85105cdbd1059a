"""Wait estimates: minutes until the visitor at a place in a queue is called, as a range, on the wall clock.

Pure: it reads the state, never changes it. The model, in three steps:

1. **Counter times.** For each counter and queue, the mean and spread of the recent times a visitor
   held that counter (first call to done: walking up, recalls, service and no-shows alike; kept by the
   fold in `CounterState.held_seconds`), once it has `MIN_SAMPLES`; else the queue's times pooled over
   its counters; else `state.service_minutes` (today's start-to-finish mean, or the configured figure).
2. **The call rule, replayed forward.** The counters taking part are the *open* ones among those serving
   the queue and, transitively, the queues they serve and their counters (paused and closed counters do
   not count; if none of the queue's own counters is open, those that called it today stand in, else
   one counter at the queue's usual pace). A busy counter is free when its visitor has had the usual
   time (busy for 5 of a usual 8 minutes: free in 3; a visit already running long keeps at least
   `RESIDUAL_FLOOR` of it). Then each counter takes the next visitor exactly as `call_next` does: its
   tiers in order, the longest wait first within a tier, priority and anti-starvation within a queue;
   and holds them for its usual time for that queue. So a counter shared by several queues gives this
   one the share of its capacity the call rule gives it: all of it while this queue is its only first
   tier, none while a higher tier has people waiting, turn and turn about by arrival within a tier.
   Visitors still to come are modelled from the last `ARRIVAL_WINDOW` minutes of issues: to the other
   queues, evenly spaced until closing (they can fill a higher tier of a shared counter); to this queue,
   priority visitors only, as a share of its calls taken ahead of a regular visitor (the rest queue up
   behind). The visitor at place p is called when the ticket now at place p is (a place past the end is
   someone taking a ticket now). The result is the *work*: minutes of opening time until the call.
3. **The wall clock.** The work is laid over today's opening hours from now: a break (the gap between
   two opening intervals) does not count toward it and is added on (`breaks_skipped`); work left at
   today's last closing runs on after it (counters finish the day's tickets) and sets `past_closing`.

The range: n counter times ending before the call, shared over the counters, spread by about
``work * sqrt(sum (sd/mean)^2) / n`` (renewal theory); plus `MODEL_VARIANCE` per minute of work and
`MODEL_SPREAD` of it for what the model cannot see (pauses to come, paces and arrivals that drift);
`Z` of that each side of the work, laid over the hours like it, never narrower than ±`MIN_HALF_RANGE`
minutes, never below 0. On a simulated day (`python -m bench.estimate_bench`) about 80% of actual waits
fall inside.
"""

from __future__ import annotations

import heapq
import math
from collections import deque
from collections.abc import Iterable
from datetime import datetime, timedelta

import msgspec

from ticketing import state as st
from ticketing.catalog import Counter, Interval
from ticketing.state import FloorState

MIN_SAMPLES = st.MIN_SAMPLES_FOR_ESTIMATE
DEFAULT_CV = 0.5  # spread of one visitor's time, relative to its mean, until there are samples
MODEL_VARIANCE = 1.5  # minutes² per minute of work: disruptions the model cannot see (pauses to come)
MODEL_SPREAD = 0.1  # of the work: paces and arrival rates that drift
Z = 1.28  # each side of the expected work: about 80% of waits fall inside when the spread is right
MIN_HALF_RANGE = 2
ARRIVAL_WINDOW = 60  # minutes of recent issues that give each queue's arrival pace
ARRIVAL_MIN_SPAN = 15  # open minutes, at least, to share them over (early in the day)
MAX_ARRIVALS = 5000  # visitors to come modelled at most, for the time an estimate takes
PRIORITY_PRIOR_SHARE = 0.1  # visitors with priority, before the day says otherwise
PRIORITY_PRIOR_WEIGHT = 30  # visitors' worth of the mall's share in each queue's share
MAX_PRIORITY_LOAD = 0.3  # of a queue's calls that priority visitors to come may take: a burst is not a trend
RESIDUAL_FLOOR = 0.3  # of the usual time, left at least for a visitor already at a counter


class WaitEstimate(msgspec.Struct, frozen=True):
    """Minutes from now until the call (low <= expected <= high)."""

    expected: int
    low: int
    high: int
    past_closing: bool  # the expected call time falls after today's last closing time
    breaks_skipped: int  # minutes of breaks inside the expected wait


class _Pace(msgspec.Struct, frozen=True):
    mean: float  # minutes a visitor holds the counter
    cv: float  # standard deviation / mean


def estimate_wait(state: FloorState, queue_id: str, position: int, now: datetime) -> WaitEstimate:
    """The wait of the visitor at `position` (1 = next; waiting + 1 = someone taking a ticket now)."""
    position = max(1, position)
    order = st.call_order(state, queue_id)
    target = order[position - 1].id if position <= len(order) else _newcomer(position - len(order))
    work = _replay(state, queue_id, now, newcomers=max(0, position - len(order)), targets={target})
    return _on_the_clock(state, now, *work[target])


def estimate_queue(state: FloorState, queue_id: str, now: datetime) -> list[WaitEstimate]:
    """Estimates for every place in one pass: index 0 is position 1, the last one a newcomer's."""
    order = st.call_order(state, queue_id)
    targets = [t.id for t in order] + [_newcomer(1)]
    work = _replay(state, queue_id, now, newcomers=1, targets=set(targets))
    return [_on_the_clock(state, now, *work[t]) for t in targets]


# --- counter times ----------------------------------------------------------------


def _observed(samples: Iterable[float]) -> _Pace | None:
    """Mean and spread of recent times (seconds), once there are enough of them."""
    minutes = [s / 60 for s in samples]
    if len(minutes) < MIN_SAMPLES:
        return None
    mean = sum(minutes) / len(minutes)
    var = sum((m - mean) ** 2 for m in minutes) / (len(minutes) - 1)
    return _Pace(mean, math.sqrt(var) / mean if mean > 0 else 0.0)


class _Paces:
    """Counter times per (counter, queue), with the queue's pooled times and the configured figure behind."""

    def __init__(self, state: FloorState) -> None:
        self.state = state
        self.pooled: dict[str, _Pace] = {}

    def queue(self, queue_id: str) -> _Pace:
        pace = self.pooled.get(queue_id)
        if pace is None:
            samples = [s for c in self.state.counters.values() for s in c.held_seconds.get(queue_id, ())]
            pace = _observed(samples) or _Pace(st.service_minutes(self.state, queue_id), DEFAULT_CV)
            self.pooled[queue_id] = pace
        return pace

    def of(self, counter_id: str, queue_id: str) -> _Pace:
        own = self.state.counters[counter_id].held_seconds.get(queue_id, ())
        return _observed(own) or self.queue(queue_id)


def _residual(pace: _Pace, held: float) -> float:
    """Minutes left for a visitor who has held the counter `held` minutes: the usual time less what
    they had, but never less than `RESIDUAL_FLOOR` of it (a visit running long is not about to end)."""
    return max(pace.mean - held, RESIDUAL_FLOOR * pace.mean)


# --- replaying the call rule --------------------------------------------------------

_Key = tuple[datetime, int, str]  # Ticket.order_key
_LAST = 1 << 62  # seq of visitors not yet in the queue: after everyone who arrived at the same instant


def _newcomer(i: int) -> str:
    return f"\0newcomer-{i}"


class _Lane(msgspec.Struct):
    """One queue's waiting tickets as order keys, taken from the front as state.next_in_queue does."""

    priority: deque[_Key]
    regular: deque[_Key]
    streak: int

    def head(self, limit: int) -> _Key | None:
        if not self.priority:
            return self.regular[0] if self.regular else None
        if not self.regular or self.streak < limit:
            return self.priority[0]
        return self.regular[0]

    def take(self, key: _Key) -> bool:
        """Remove the head `key`; whether it was a priority visitor."""
        if self.priority and self.priority[0] == key:
            self.priority.popleft()
            self.streak += 1
            return True
        self.regular.popleft()
        self.streak = 0
        return False


def _component(state: FloorState, queue_id: str) -> tuple[list[Counter], set[str]]:
    """The counters serving this queue and, transitively, the queues they serve and their counters."""
    queues, counters, todo = {queue_id}, dict[str, Counter](), [queue_id]
    while todo:
        for c in state.mall.counters_serving(todo.pop()):
            if c.id not in counters:
                counters[c.id] = c
                todo.extend(q for q in c.queue_ids if q not in queues)
                queues.update(c.queue_ids)
    return list(counters.values()), queues


def _working(state: FloorState, queue_id: str, counters: list[Counter]) -> list[Counter]:
    """The open counters; if none of them serves this queue, those that called it today, else one
    counter (id "") at the queue's usual pace."""
    working = [c for c in counters if state.counters[c.id].status == st.OPEN]
    if not any(queue_id in c.queue_ids for c in working):
        working += [c for c in counters if state.counters[c.id].calls.get(queue_id)]
    if not any(queue_id in c.queue_ids for c in working):
        working.append(Counter("", "", 0, "", ((queue_id,),)))
    return working


def _replay(
    state: FloorState, queue_id: str, now: datetime, newcomers: int, targets: set[str]
) -> dict[str, tuple[float, float]]:
    """Open minutes from now until each target is called, and the standard deviation of that."""
    paces = _Paces(state)
    counters, queues = _component(state, queue_id)
    lanes = {
        q: _Lane(
            deque(t.order_key for t in state.queues[q].priority),
            deque(t.order_key for t in state.queues[q].regular),
            state.queues[q].priority_streak,
        )
        for q in queues
    }
    lanes[queue_id].regular.extend((now, _LAST, _newcomer(i)) for i in range(1, newcomers + 1))
    arrivals, priority_rate = _arrivals_to_come(state, queue_id, queues, now)
    working = _working(state, queue_id, counters)

    # Each counter: (minutes until it is free, its index, the pace of the visitor it holds, None if idle).
    heap: list[tuple[float, int, _Pace | None]] = []
    for i, c in enumerate(working):
        cs = state.counters.get(c.id)
        if cs is not None and cs.ticket_id is not None and cs.busy_since is not None:
            pace = paces.of(c.id, state.tickets[cs.ticket_id].queue_id)
            held = max(0.0, (now - cs.busy_since) / timedelta(minutes=1))
            heap.append((_residual(pace, held), i, pace))
        else:
            heap.append((0.0, i, None))
    heapq.heapify(heap)

    limit = state.mall.site.priority_max_in_row
    out: dict[str, tuple[float, float]] = {}
    idle: set[int] = set()
    ended, spread = 0, 0.0  # counter times ended so far, and the sum of their (sd/mean)^2
    calls = 0  # of this queue so far
    a = 0
    while len(out) < len(targets):
        if a < len(arrivals) and (not heap or arrivals[a][0] <= heap[0][0]):
            at, q, key, priority = arrivals[a]
            a += 1
            (lanes[q].priority if priority else lanes[q].regular).append(key)
            for i in [i for i in idle if q in working[i].queue_ids]:
                idle.discard(i)
                heapq.heappush(heap, (at, i, None))
            continue
        if not heap:  # pragma: no cover - a counter serving the queue is always there while targets wait
            break
        at, i, ending = heapq.heappop(heap)
        if ending is not None:
            ended += 1
            spread += ending.cv**2
        counter = working[i]
        picked = _pick(lanes, counter, limit)
        if picked is None:
            idle.add(i)  # nobody for it now: it waits for the next arrival to one of its queues
            continue
        picked_queue, key = picked
        priority = lanes[picked_queue].take(key)
        if picked_queue == queue_id:
            calls += 1
            if key[2] in targets:
                work = at
                if not priority and at > 0:
                    # Priority visitors still to come go first: they take this share of the queue's calls.
                    work = at / (1 - min(MAX_PRIORITY_LOAD, priority_rate * at / calls))
                out[key[2]] = (work, work * math.sqrt(spread) / ended if ended else 0.0)
        nxt = paces.of(counter.id, picked_queue) if counter.id else paces.queue(picked_queue)
        heapq.heappush(heap, (at + nxt.mean, i, nxt))
    return out


def _arrivals_to_come(
    state: FloorState, queue_id: str, queues: set[str], now: datetime
) -> tuple[list[tuple[float, str, _Key, bool]], float]:
    """Visitors still to come until closing, at each queue's pace over the last `ARRIVAL_WINDOW` minutes:
    to the other queues of the component, evenly spaced (open minutes from now, queue, order key,
    priority); to this queue, only the rate of priority visitors (the others queue up behind)."""
    window_start = now - timedelta(minutes=ARRIVAL_WINDOW)
    span = max(ARRIVAL_MIN_SPAN, _open_minutes(state, window_start, now))
    recent: dict[str, int] = {}
    for t in reversed(state.tickets.values()):  # in issue order
        if t.issued_at < window_start:
            break
        if t.queue_id in queues:
            recent[t.queue_id] = recent.get(t.queue_id, 0) + 1
    # The share of priority visitors: today's in each queue, drawn towards the mall's (few visitors are).
    today: dict[str, tuple[int, int]] = {}
    for t in state.tickets.values():
        n, p = today.get(t.queue_id, (0, 0))
        today[t.queue_id] = (n + 1, p + bool(t.priority))
    mall_share = (sum(p for _, p in today.values()) + PRIORITY_PRIOR_SHARE) / (len(state.tickets) + 1)
    horizon = _open_until_closing(state, now)
    out: list[tuple[float, str, _Key, bool]] = []
    priority_rate = 0.0
    for q, n in sorted(recent.items()):
        q_n, q_p = today.get(q, (0, 0))
        share = (q_p + PRIORITY_PRIOR_WEIGHT * mall_share) / (q_n + PRIORITY_PRIOR_WEIGHT)
        if q == queue_id:
            priority_rate = n * share / span
            continue
        for priority, rate in ((True, n * share / span), (False, n * (1 - share) / span)):
            at = 0.5 / rate if rate > 0 else math.inf
            while at < horizon and len(out) < MAX_ARRIVALS:
                out.append((at, q, (now + timedelta(minutes=at), _LAST, f"\0arrival-{len(out)}"), priority))
                at += 1 / rate
    out.sort(key=lambda x: x[0])
    return out, priority_rate


def _pick(lanes: dict[str, _Lane], counter: Counter, limit: int) -> tuple[str, _Key] | None:
    """commands.pick_next on the lanes: tiers in order, the longest wait first within a tier."""
    for tier in counter.queue_tiers:
        heads = [(q, k) for q in tier if (k := lanes[q].head(limit)) is not None]
        if heads:
            return min(heads, key=lambda h: h[1])
    return None


# --- the wall clock -------------------------------------------------------------------


def _on_the_clock(state: FloorState, now: datetime, work: float, sd: float) -> WaitEstimate:
    half = Z * math.sqrt(sd**2 + MODEL_VARIANCE * work + (MODEL_SPREAD * work) ** 2)
    wall, breaks, past_closing = walk_hours(state, now, work)
    expected = _minutes(wall)
    low = min(_minutes(walk_hours(state, now, max(0.0, work - half))[0]), expected - MIN_HALF_RANGE)
    high = max(_minutes(walk_hours(state, now, work + half)[0]), expected + MIN_HALF_RANGE)
    return WaitEstimate(expected, max(0, low), high, past_closing, _minutes(breaks))


def _minutes(x: float) -> int:
    return math.floor(round(x, 6) + 0.5)


def _today(state: FloorState, now: datetime) -> tuple[float, list[Interval]]:
    """`now` as minutes since local midnight, and today's opening intervals in order."""
    mall = state.mall
    local = mall.local(now)
    minute = (local - local.replace(hour=0, minute=0, second=0, microsecond=0)) / timedelta(minutes=1)
    hours = () if local.date() in mall.site.closed_dates else mall.site.hours[local.weekday()]
    return minute, sorted(hours, key=lambda iv: iv.start)


def _open_minutes(state: FloorState, since: datetime, now: datetime) -> float:
    """Opening minutes between `since` and `now` (today's hours; `since` may be yesterday)."""
    t, hours = _today(state, now)
    s = max(0.0, t - (now - since) / timedelta(minutes=1))
    return sum(max(0.0, min(t, iv.end) - max(s, iv.start)) for iv in hours)


def _open_until_closing(state: FloorState, now: datetime) -> float:
    t, hours = _today(state, now)
    return sum(max(0.0, iv.end - max(t, iv.start)) for iv in hours)


def walk_hours(state: FloorState, now: datetime, work: float) -> tuple[float, float, bool]:
    """Lay `work` minutes over today's opening hours from `now`: (wall-clock minutes until it is done,
    minutes of breaks inside them, whether it runs past today's last closing)."""
    t, hours = _today(state, now)
    start, left, breaks = t, work, 0.0
    opened = False  # a gap after an opening interval began is a break; before the first one, not
    for iv in hours:
        if iv.end <= t:
            opened = True
            continue
        if iv.start > t:
            if opened:
                breaks += iv.start - t
            t = iv.start
        opened = True
        step = min(left, iv.end - t)
        t, left = t + step, left - step
        if left <= 1e-9:
            return t - start, breaks, False
    return t + left - start, breaks, left > 1e-9
