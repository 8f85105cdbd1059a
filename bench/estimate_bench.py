"""`python -m bench.estimate_bench`: how close are wait estimates to the waits visitors really had?

A simulated Monday on a small mall with real office hours (07:30-12:00, 13:00-15:30): Poisson arrivals
with a morning peak over five queues, nine counters (two of them shared between queues, by tier),
log-normal service times that differ from the configured figures and between staff, walking up,
no-shows, a few pauses, the midday break, and counters that finish the day's queue after closing.
Everything runs through the domain commands in simulated time. At each issue we record the naive
estimate (position x configured minutes / open counters), today's `estimate_minutes` (the same with
the observed mean once there are three samples) and `estimate_wait`; at the call, the actual wait.
Prints figures; nothing here passes or fails.
"""

from __future__ import annotations

import heapq
import math
import random
import statistics
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import msgspec

from config.loader import parse_mall
from ticketing import commands as cmd
from ticketing import state as st
from ticketing.catalog import Mall
from ticketing.estimates import WaitEstimate, estimate_wait
from ticketing.events import Event, Recorded, TicketCalled
from ticketing.state import FloorState

WIB = ZoneInfo("Asia/Jakarta")
DAY = date(2026, 11, 23)  # a Monday
MALL_TOML = """
[site]
id = "bench"
name = "MPP Bench"
timezone = "Asia/Jakarta"
priority_max_in_row = 2
[site.hours]
mon = ["07:30-12:00", "13:00-15:30"]

[[agencies]]
id = "dukcapil"
name = "Dukcapil"
prefix = "A"
[[agencies]]
id = "imigrasi"
name = "Imigrasi"
prefix = "B"
[[agencies]]
id = "samsat"
name = "Samsat"
prefix = "C"
[[agencies]]
id = "bpjs"
name = "BPJS"
prefix = "D"

[[queues]]
id = "dukcapil-akta"
agency = "dukcapil"
prefix = "AK"

[[services]]
id = "ktp-el"
agency = "dukcapil"
name = "KTP-el"
service_minutes = 8
[[services]]
id = "akta"
agency = "dukcapil"
queue = "dukcapil-akta"
name = "Akta"
service_minutes = 10
[[services]]
id = "paspor"
agency = "imigrasi"
name = "Paspor"
service_minutes = 15
[[services]]
id = "pajak"
agency = "samsat"
name = "Pajak kendaraan"
service_minutes = 5
[[services]]
id = "bpjs"
agency = "bpjs"
name = "BPJS"
service_minutes = 10

[[counters]]
id = "l1"
label = "Loket 1"
agency = "dukcapil"
queues = ["dukcapil"]
[[counters]]
id = "l2"
label = "Loket 2"
agency = "dukcapil"
queues = ["dukcapil"]
[[counters]]
id = "l3"
label = "Loket 3"
agency = "dukcapil"
queues = ["dukcapil-akta", "dukcapil"]
[[counters]]
id = "l4"
label = "Loket 4"
agency = "dukcapil"
queues = [["dukcapil", "dukcapil-akta"]]
[[counters]]
id = "l5"
label = "Loket 5"
agency = "imigrasi"
queues = ["imigrasi"]
[[counters]]
id = "l6"
label = "Loket 6"
agency = "imigrasi"
queues = ["imigrasi"]
[[counters]]
id = "l7"
label = "Loket 7"
agency = "samsat"
queues = ["samsat"]
[[counters]]
id = "l8"
label = "Loket 8"
agency = "samsat"
queues = ["samsat"]
[[counters]]
id = "l9"
label = "Loket 9"
agency = "bpjs"
queues = ["bpjs"]
"""

# Per service: visitors per hour off-peak, and the true mean minutes at the counter (the config guesses).
ARRIVALS = {"ktp-el": 11.0, "akta": 3.0, "paspor": 4.0, "pajak": 9.0, "bpjs": 2.5}
TRUE_MINUTES = {"ktp-el": 9.5, "akta": 12.0, "paspor": 13.0, "pajak": 6.0, "bpjs": 10.5}
SERVICE_SIGMA = 0.5  # of the log-normal
PRIORITY_SHARE = 0.08
NO_SHOW_SHARE = 0.04
BREAK = (12 * 60, 13 * 60)
CLOSE = 15 * 60 + 30


def wib(minute: float) -> datetime:
    midnight = datetime(DAY.year, DAY.month, DAY.day, tzinfo=WIB)
    return (midnight + timedelta(minutes=minute)).astimezone(UTC)


def peak(minute: float) -> float:
    """Arrivals relative to off-peak: a morning rush around 08:45, a smaller one after the break."""
    return 1 + 1.6 * math.exp(-(((minute - 525) / 55) ** 2)) + 0.4 * math.exp(-(((minute - 810) / 30) ** 2))


class Outcome(msgspec.Struct):
    queue_id: str
    issued: float
    naive: int
    today: int
    ours: WaitEstimate
    actual: float | None = None


class Day:
    def __init__(self, mall: Mall, seed: int) -> None:
        self.mall = mall
        self.rng = random.Random(seed)
        self.state: FloorState = st.new_day(mall, DAY)
        self.now = 7 * 60 + 30.0
        self.events: list[tuple[float, int, str, str]] = []
        self.seq = 0
        self.outcomes: dict[str, Outcome] = {}
        self.idle: set[str] = set()
        self.estimating = 0.0  # seconds spent in estimate_wait
        self.speed = {c: self.rng.uniform(0.8, 1.25) for c in mall.counters}
        # One or two personal pauses per counter (prayer, a form to fetch): (earliest start, minutes).
        self.pauses: dict[str, list[tuple[float, float]]] = {
            c: sorted(
                (self.rng.uniform(8 * 60, 15 * 60), self.rng.uniform(5, 20)) for _ in range(self.rng.randint(0, 2))
            )
            for c in mall.counters
        }

    # --- the loop -----------------------------------------------------------------

    def at(self, minute: float, kind: str, what: str) -> None:
        self.seq += 1
        heapq.heappush(self.events, (minute, self.seq, kind, what))

    def run(self, command: Callable[..., list[Event]], **kwargs: Any) -> list[Event]:
        events = command(self.state, now=wib(self.now), **kwargs)
        for e in events:
            st.apply(self.state, Recorded(self.state.last_event_id + 1, DAY, e))  # type: ignore[arg-type]
            if isinstance(e, TicketCalled) and self.outcomes[e.ticket_id].actual is None:
                self.outcomes[e.ticket_id].actual = self.now - self.outcomes[e.ticket_id].issued
        return events

    def simulate(self) -> list[Outcome]:
        for service in ARRIVALS:
            self.next_arrival(service, self.now)
        for c in self.mall.counters:
            self.at(self.now + self.rng.uniform(0, 10), "open", c)
        while self.events:
            self.now, _, kind, what = heapq.heappop(self.events)
            getattr(self, kind)(what)
        return list(self.outcomes.values())

    def next_arrival(self, service: str, after: float) -> None:
        """Thinning: candidates at the peak rate, kept with probability rate(t) / peak rate."""
        top = ARRIVALS[service] * 2.6 / 60
        t = after
        while t < CLOSE:
            t += self.rng.expovariate(top)
            if BREAK[0] <= t < BREAK[1]:
                continue
            if t < CLOSE and self.rng.random() < peak(t) / 2.6:
                self.at(t, "arrive", service)
                return

    # --- visitors -------------------------------------------------------------------

    def arrive(self, service: str) -> None:
        queue_id = self.mall.services[service].queue_id
        ticket_id = f"t{len(self.outcomes) + 1}"
        priority = "elderly" if self.rng.random() < PRIORITY_SHARE else None
        self.outcomes[ticket_id] = Outcome(queue_id, self.now, 0, 0, WaitEstimate(0, 0, 0, False, 0))
        self.run(cmd.issue_ticket, service_id=service, ticket_id=ticket_id, priority=priority)
        position = st.positions(self.state, queue_id)[ticket_id]
        open_counters = max(1, st.working_counters(self.state, queue_id))
        configured = self.mall.services[service].service_minutes
        outcome = self.outcomes[ticket_id]
        outcome.naive = math.ceil(position * configured / open_counters)
        outcome.today = st.estimate_minutes(self.state, queue_id, position)
        started = time.perf_counter()
        outcome.ours = estimate_wait(self.state, queue_id, position, wib(self.now))
        self.estimating += time.perf_counter() - started
        for c in sorted(self.idle):
            if queue_id in self.mall.counters[c].queue_ids:
                self.idle.discard(c)
                self.at(self.now + self.rng.uniform(0.05, 0.3), "ready", c)
        self.next_arrival(service, self.now)

    # --- counters -------------------------------------------------------------------

    def open(self, counter_id: str) -> None:
        self.run(cmd.open_counter, counter_id=counter_id)
        self.ready(counter_id)

    def ready(self, counter_id: str) -> None:
        """The counter is free: take the midday break, a personal pause, or call the next visitor."""
        minute = self.now
        if BREAK[0] - 2 <= minute < BREAK[1]:
            self.run(cmd.pause_counter, counter_id=counter_id, reason="istirahat")
            self.at(BREAK[1] + self.rng.uniform(0, 6), "open", counter_id)
            return
        pauses = self.pauses[counter_id]
        if pauses and pauses[0][0] <= minute:
            _, length = pauses.pop(0)
            self.run(cmd.pause_counter, counter_id=counter_id, reason="sholat")
            self.at(minute + length, "open", counter_id)
            return
        called = [e for e in self.run(cmd.call_next, counter_id=counter_id) if isinstance(e, TicketCalled)]
        if not called:
            if minute >= CLOSE:
                self.run(cmd.close_counter, counter_id=counter_id)
            else:
                self.idle.add(counter_id)
            return
        self.at(minute + self.rng.uniform(0.3, 1.5), "come", counter_id)

    def come(self, counter_id: str) -> None:
        if self.rng.random() < NO_SHOW_SHARE:
            self.at(self.now + self.rng.uniform(1.5, 3), "no_show", counter_id)
            return
        self.run(cmd.start_service, counter_id=counter_id)
        ticket = self.state.tickets[self.state.counters[counter_id].ticket_id or ""]
        mean = TRUE_MINUTES[ticket.service_id] * self.speed[counter_id]
        minutes = self.rng.lognormvariate(math.log(mean) - SERVICE_SIGMA**2 / 2, SERVICE_SIGMA)
        self.at(self.now + minutes, "done", counter_id)

    def no_show(self, counter_id: str) -> None:
        self.run(cmd.no_show, counter_id=counter_id)
        self.at(self.now + self.rng.uniform(0.1, 0.5), "ready", counter_id)

    def done(self, counter_id: str) -> None:
        self.run(cmd.finish, counter_id=counter_id)
        self.at(self.now + self.rng.uniform(0.1, 0.5), "ready", counter_id)


def mae(estimates: list[int], actual: list[float]) -> tuple[float, float]:
    errors = [abs(e - a) for e, a in zip(estimates, actual, strict=True)]
    return statistics.mean(errors), statistics.median(errors)


def report(seed: int, verbose: bool = True) -> tuple[list[Outcome], float]:
    """One simulated day: its figures (when verbose), its outcomes and the seconds estimate_wait took."""
    mall = parse_mall(MALL_TOML)
    simulated = Day(mall, seed)
    everyone = simulated.simulate()
    outcomes = [o for o in everyone if o.actual is not None]
    if verbose:
        summary(f"seed {seed}", outcomes)
        for queue_id in mall.queues:
            mine = [o for o in outcomes if o.queue_id == queue_id]
            actual = [o.actual for o in mine if o.actual is not None]
            inside = statistics.mean(o.ours.low <= a <= o.ours.high for o, a in zip(mine, actual, strict=True))
            print(
                f"    {queue_id:14} {len(mine):4} visitors  MAE naive {mae([o.naive for o in mine], actual)[0]:5.1f}  "
                f"estimate_minutes {mae([o.today for o in mine], actual)[0]:5.1f}  "
                f"estimate_wait {mae([o.ours.expected for o in mine], actual)[0]:5.1f}  in range {inside:.0%}"
            )
    return outcomes, simulated.estimating


def summary(title: str, outcomes: list[Outcome]) -> None:
    actual = [o.actual for o in outcomes if o.actual is not None]
    naive = mae([o.naive for o in outcomes], actual)
    today = mae([o.today for o in outcomes], actual)
    ours = mae([o.ours.expected for o in outcomes], actual)
    inside = statistics.mean(o.ours.low <= a <= o.ours.high for o, a in zip(outcomes, actual, strict=True))
    width = statistics.mean(o.ours.high - o.ours.low for o in outcomes)
    bias = statistics.mean(o.ours.expected - a for o, a in zip(outcomes, actual, strict=True))
    late = sum(o.ours.past_closing for o in outcomes)
    print(
        f"{title}: {len(outcomes)} visitors called, actual wait mean {statistics.mean(actual):.1f} min, "
        f"max {max(actual):.0f} min; {late} warned past closing"
    )
    print(f"  naive (position x configured / open)   MAE {naive[0]:5.1f}  median {naive[1]:5.1f}")
    print(f"  estimate_minutes (observed mean)       MAE {today[0]:5.1f}  median {today[1]:5.1f}")
    print(f"  estimate_wait                          MAE {ours[0]:5.1f}  median {ours[1]:5.1f}  bias {bias:+.1f}")
    print(f"  estimate_wait range: {inside:.0%} of actual waits inside [low, high], mean width {width:.1f} min")


def main() -> None:
    for seed in (1, 2, 3):
        report(seed)
    outcomes: list[Outcome] = []
    took = 0.0
    for seed in range(1, 21):
        day, seconds = report(seed, verbose=False)
        outcomes += day
        took += seconds
    summary("20 seeds together", outcomes)
    print(f"  estimate_wait took {took / len(outcomes) * 1e6:.0f} µs per ticket issued (mean)")


if __name__ == "__main__":
    main()
