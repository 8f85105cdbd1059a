"""Statistics checked against a hand-computed day (every figure below was worked out on paper)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import msgspec

from tests.ticketing.helpers import MONDAY, allday, wib
from ticketing import commands as cmd
from ticketing import state as st
from ticketing.events import Event, Recorded
from ticketing.stats import Figures, day_stats, figures


class Day:
    """Runs commands at exact local times, as someone, and keeps the records."""

    def __init__(self) -> None:
        self.mall = allday()
        self.state = st.new_day(self.mall, MONDAY)
        self.records: list[Recorded] = []

    def at(self, hh: int, mm: int, who: str, command: Callable[..., list[Event]], **kwargs: Any) -> list[Event]:
        now = wib(MONDAY, hh, mm)
        events = [msgspec.structs.replace(e, by=who) for e in command(self.state, now=now, **kwargs)]
        for event in events:
            record = Recorded(len(self.records) + 1, MONDAY, event)  # type: ignore[arg-type]
            st.apply(self.state, record)
            self.records.append(record)
        return events

    def issue(self, hh: int, mm: int, service: str, ticket_id: str) -> None:
        self.at(hh, mm, "kiosk:kiosk-1", cmd.issue_ticket, service_id=service, ticket_id=ticket_id)


def scenario() -> Day:
    d = Day()
    d.at(8, 0, "staff:loket1", cmd.open_counter, counter_id="loket-1")
    d.issue(8, 0, "ktp-el", "a1")
    d.issue(8, 5, "ktp-el", "a2")
    d.at(8, 10, "staff:loket1", cmd.call_next, counter_id="loket-1")  # A001 waited 10
    d.at(8, 12, "staff:loket1", cmd.start_service, counter_id="loket-1")
    d.at(8, 20, "staff:loket1", cmd.finish, counter_id="loket-1")  # served in 8
    d.at(8, 21, "staff:loket2", cmd.call_next, counter_id="loket-2")  # A002; opens loket-2
    d.at(8, 24, "staff:loket2", cmd.recall, counter_id="loket-2")  # the recall is the call that counts: 19
    d.at(8, 26, "staff:loket2", cmd.start_service, counter_id="loket-2")
    d.issue(8, 30, "ktp-el", "a3")
    d.at(8, 35, "visitor", cmd.cancel_ticket, ticket_id="a3")
    d.at(8, 36, "staff:loket2", cmd.transfer, counter_id="loket-2", service_id="akta-kelahiran")
    d.issue(8, 40, "akta-kelahiran", "ak1")
    called = d.at(8, 45, "staff:loket1", cmd.call_next, counter_id="loket-1")  # A002 again: waited 9 since 08:36
    assert called[-1].number == "A002"  # type: ignore[attr-defined]
    d.at(8, 46, "staff:loket1", cmd.no_show, counter_id="loket-1")
    d.at(8, 50, "staff:loket1", cmd.call_next, counter_id="loket-1")  # AK001 waited 10
    d.at(8, 51, "staff:loket1", cmd.start_service, counter_id="loket-1")
    d.at(9, 1, "staff:loket1", cmd.finish, counter_id="loket-1")  # served in 10
    d.at(9, 5, "staff:loket1", cmd.pause_counter, counter_id="loket-1", reason="istirahat")
    d.at(9, 20, "staff:loket1", cmd.open_counter, counter_id="loket-1")
    return d


UNTIL = wib(MONDAY, 9, 30)


def test_services_agencies_counters_and_staff() -> None:
    d = scenario()
    stats = day_stats(d.mall, d.records, UNTIL)
    ktp = stats.services["ktp-el"]
    assert (ktp.issued, ktp.served, ktp.no_shows, ktp.transferred_out, ktp.cancelled, ktp.recalls) == (3, 1, 0, 1, 1, 1)
    assert (ktp.waits, ktp.service_times, ktp.answered, ktp.within_target) == ([10.0, 19.0], [8.0], 2, 2)
    assert ktp.service_level == 1.0
    akta = stats.services["akta-kelahiran"]
    assert (akta.issued, akta.served, akta.no_shows, akta.waits, akta.service_times) == (1, 1, 1, [9.0, 10.0], [10.0])
    dukcapil = stats.agencies["dukcapil"]
    assert (dukcapil.issued, dukcapil.served, dukcapil.no_shows, dukcapil.cancelled) == (4, 2, 1, 1)
    assert figures(dukcapil.waits) == Figures(count=4, mean=12.0, median=10.0, p90=19.0, max=19.0)
    assert stats.agencies["imigrasi"].issued == 0
    assert (stats.counters["loket-1"].served, stats.counters["loket-1"].no_shows) == (2, 1)
    assert stats.counters["loket-1"].service_times == [8.0, 10.0]
    assert (stats.counters["loket-2"].served, stats.counters["loket-2"].recalls) == (0, 1)
    assert (stats.staff["staff:loket1"].served, stats.staff["staff:loket1"].no_shows) == (2, 1)
    assert "staff:loket2" not in stats.staff  # it served nobody: the transfer went elsewhere
    assert stats.arrivals_by_hour == {8: 4}
    assert stats.served_by_hour == {8: 1, 9: 1}
    assert stats.day == "2026-11-23"


def test_counter_time() -> None:
    d = scenario()
    stats = day_stats(d.mall, d.records, UNTIL)
    one, two = stats.counter_time["loket-1"], stats.counter_time["loket-2"]
    # loket-1: open 08:00-09:05 and 09:20-09:30; busy 08:10-08:20, 08:45-08:46, 08:50-09:01; paused 09:05-09:20.
    assert (one.open, one.busy, one.paused, one.idle) == (75.0, 22.0, 15.0, 53.0)
    # loket-2: opened by its first call at 08:21, busy until the transfer at 08:36, open till 09:30.
    assert (two.open, two.busy, two.paused, two.idle) == (69.0, 15.0, 0.0, 54.0)
    assert stats.counter_time["loket-3"].open == 0.0


def test_service_level_counts_calls_past_the_target() -> None:
    d = Day()
    d.issue(8, 0, "ktp-el", "t1")
    d.issue(8, 1, "ktp-el", "t2")
    d.at(8, 30, "staff:loket1", cmd.call_next, counter_id="loket-1")  # waited 30: on target
    d.at(8, 31, "staff:loket1", cmd.start_service, counter_id="loket-1")
    d.at(8, 40, "staff:loket1", cmd.finish, counter_id="loket-1")
    d.at(8, 41, "staff:loket1", cmd.call_next, counter_id="loket-1")  # waited 40: late
    d.at(8, 42, "staff:loket1", cmd.start_service, counter_id="loket-1")
    stats = day_stats(d.mall, d.records, wib(MONDAY, 9, 0))
    assert stats.services["ktp-el"].service_level == 0.5
    assert stats.services["ktp-el"].served == 1  # the second is still being served
    assert stats.counter_time["loket-1"].busy == 29.0  # 08:30-08:40 and 08:41-09:00, up to `until`


def test_figures() -> None:
    assert figures([]) == Figures()
    assert figures([5.0]) == Figures(count=1, mean=5.0, median=5.0, p90=5.0, max=5.0)
    values = [float(v) for v in range(1, 11)]
    assert figures(values) == Figures(count=10, mean=5.5, median=5.5, p90=9.0, max=10.0)


def test_no_event_is_forgotten() -> None:
    """A guard for later: every event type the domain has is either counted or knowingly ignored."""
    from ticketing import events as ev_module

    counted = {
        "TicketIssued",
        "TicketCalled",
        "TicketRecalled",
        "ServiceStarted",
        "TicketServed",
        "TicketNoShow",
        "TicketTransferred",
        "TicketReturned",
        "TicketCancelled",
        "CounterOpened",
        "CounterPaused",
        "CounterClosed",
    }
    printing = {"PrintStarted", "TicketPrinted", "PrintFailed", "ReprintRequested", "PrinterStatusChanged"}
    kinds = {t.__name__ for t in ev_module.AnyEvent.__args__}  # type: ignore[attr-defined]
    assert kinds == counted | printing


def test_a_range_adds_days_up() -> None:
    from ticketing.stats import merge

    d = scenario()
    one = day_stats(d.mall, d.records, UNTIL)
    both = merge([one, day_stats(d.mall, d.records, UNTIL)])
    ktp = both.services["ktp-el"]
    assert (ktp.issued, ktp.served, ktp.waits, ktp.service_level) == (6, 2, [10.0, 19.0, 10.0, 19.0], 1.0)
    assert both.counter_time["loket-1"].open == 150.0 and both.counter_time["loket-1"].idle == 106.0
    assert both.arrivals_by_hour == {8: 8}
    assert one.services["ktp-el"].issued == 3, "merging leaves the days as they were"
