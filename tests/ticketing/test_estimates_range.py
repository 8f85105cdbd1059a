"""estimate_wait: hand-made floors with exact expected minutes, breaks, closing time and the range.

Every visit below holds its counter for a whole number of minutes from the call to done, so the
counters' recent times (and the expected minutes) can be worked out on paper. Tickets are issued at
08:00 and estimates asked after 09:00, so no recent arrivals (priority visitors to come) move them.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from config.loader import parse_mall
from ticketing import commands as cmd
from ticketing import state as st
from ticketing.catalog import Mall
from ticketing.estimates import WaitEstimate, estimate_queue, estimate_wait, walk_hours

from .helpers import MINI_TOML, MONDAY, Floor, allday, mini, wib

T0 = wib(MONDAY, 8)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def visits(floor: Floor, counter: str, minutes: list[float], start: float = 0) -> float:
    """The counter calls, serves and finishes one waiting visitor after another, each for the given
    minutes (call to done); returns the minute (since 08:00) it ends."""
    t = start
    for m in minutes:
        floor.run(cmd.call_next, counter_id=counter, now=at(t))
        floor.run(cmd.start_service, counter_id=counter, now=at(t))
        floor.run(cmd.finish, counter_id=counter, now=at(t + m))
        t += m
    return t


def day(mall: Mall | None = None, tickets: int = 6, service: str = "ktp-el") -> Floor:
    floor = Floor(mall or allday())
    for _ in range(tickets):
        floor.issue(service, now=T0)
    return floor


def wait(floor: Floor, position: int, minutes: float, queue: str = "dukcapil") -> WaitEstimate:
    return estimate_wait(floor.state, queue, position, at(minutes))


def expected(floor: Floor, positions: range, minutes: float, queue: str = "dukcapil") -> list[int]:
    return [wait(floor, p, minutes, queue).expected for p in positions]


def test_the_fold_keeps_each_counters_recent_times_per_queue() -> None:
    floor = day()
    visits(floor, "loket-2", [6, 8, 10])
    floor.run(cmd.call_next, counter_id="loket-2", now=at(24))
    floor.run(cmd.no_show, counter_id="loket-2", now=at(27))  # a no-show held the counter too
    cs = floor.state.counters["loket-2"]
    assert list(cs.held_seconds["dukcapil"]) == [360.0, 480.0, 600.0, 180.0]
    assert cs.calls == {"dukcapil": 4}
    assert cs.busy_since is None
    floor.run(cmd.call_next, counter_id="loket-2", now=at(30))
    assert cs.busy_since == at(30)
    # the start-to-finish samples of today's estimate are unchanged
    assert list(floor.state.queues["dukcapil"].service_seconds) == [360.0, 480.0, 600.0]


def test_one_counter_with_known_times_gives_exact_minutes() -> None:
    floor = day()
    visits(floor, "loket-2", [6, 8, 10])  # mean 8; loket-2 is open and free, three wait
    assert floor.state.queues["dukcapil"].waiting == 3
    # the next is called at once, then one every 8 minutes; position 4 is someone taking a ticket now
    assert expected(floor, range(1, 6), 70) == [0, 8, 16, 24, 32]
    assert estimate_queue(floor.state, "dukcapil", at(70)) == [wait(floor, p, 70) for p in range(1, 5)]
    # the old figure for comparison: position x mean / counters, the visitor's own service included
    assert st.estimate_minutes(floor.state, "dukcapil", 4) == 32


def test_two_counters_halve_it() -> None:
    floor = day(tickets=9)
    visits(floor, "loket-2", [6, 8, 10])
    one = expected(floor, range(1, 8), 70)
    floor.run(cmd.open_counter, counter_id="loket-1", now=at(70))  # no times of its own yet: the queue's 8
    two = expected(floor, range(1, 8), 70)
    assert one == [0, 8, 16, 24, 32, 40, 48]
    assert two == [0, 0, 8, 8, 16, 16, 24]
    assert wait(floor, 7, 70).expected * 2 == wait(floor, 7, 70).expected + 24
    assert st.working_counters(floor.state, "dukcapil") == 2


def test_a_paused_or_closed_counter_does_not_count() -> None:
    floor = day(tickets=9)
    visits(floor, "loket-2", [6, 8, 10])
    floor.run(cmd.open_counter, counter_id="loket-1", now=at(60))
    floor.run(cmd.pause_counter, counter_id="loket-1", now=at(65), reason="sholat")
    assert expected(floor, range(1, 5), 70) == [0, 8, 16, 24]
    floor.run(cmd.open_counter, counter_id="loket-1", now=at(71))
    floor.run(cmd.close_counter, counter_id="loket-1", now=at(72))
    assert expected(floor, range(1, 5), 72) == [0, 8, 16, 24]
    # loket-3 is open but serves another agency
    floor.run(cmd.open_counter, counter_id="loket-3", now=at(72))
    assert expected(floor, range(1, 5), 72) == [0, 8, 16, 24]


def test_with_no_counter_open_those_that_served_today_stand_in_else_one() -> None:
    floor = day(tickets=12)
    visits(floor, "loket-2", [10, 10, 10])
    visits(floor, "loket-1", [10, 10, 10], start=30)
    floor.run(cmd.close_counter, counter_id="loket-2", now=at(30))
    floor.run(cmd.pause_counter, counter_id="loket-1", now=at(60))
    assert expected(floor, range(1, 6), 70) == [0, 0, 10, 10, 20]  # both called it today
    fresh = day()  # nobody called today: one counter at the configured 8 minutes
    assert expected(fresh, range(1, 4), 70) == [0, 8, 16]


def test_a_visitor_being_served_frees_the_counter_sooner() -> None:
    floor = day()
    visits(floor, "loket-2", [6, 8, 10])  # usual 8
    floor.run(cmd.call_next, counter_id="loket-2", now=at(60))
    floor.run(cmd.start_service, counter_id="loket-2", now=at(61))
    assert wait(floor, 1, 65).expected == 3  # busy for 5 of a usual 8
    assert wait(floor, 2, 65).expected == 11
    assert wait(floor, 1, 60).expected == 8  # just called: the whole 8
    # a visit running long is not about to end: at least 30% of the usual time is left
    assert wait(floor, 1, 75).expected == 2  # 2.4


def test_a_shared_counter_serves_this_queue_as_its_call_rule_says() -> None:
    # mini: loket-1 is the only counter, one tier ["dukcapil", "dukcapil-akta"], the longest wait first
    floor = Floor(mini())
    floor.issue("akta-kelahiran", now=T0)
    floor.issue("akta-kelahiran", now=at(1))
    floor.issue("ktp-el", now=at(2))
    floor.run(cmd.open_counter, counter_id="loket-1", now=at(2))
    # the two Akta visitors came first: the KTP visitor at place 1 of its queue waits for both (8 each)
    assert wait(floor, 1, 70).expected == 16
    assert st.estimate_minutes(floor.state, "dukcapil", 1) == 8  # the old figure does not see them
    assert wait(floor, 1, 70, queue="dukcapil-akta").expected == 0
    # with Akta as a higher tier, even Akta visitors who came later go first
    tiers = MINI_TOML.read_text(encoding="utf-8").replace(
        'queues = [["dukcapil", "dukcapil-akta"]]', 'queues = ["dukcapil-akta", "dukcapil"]'
    )
    floor = Floor(parse_mall(tiers))
    floor.issue("ktp-el", now=T0)
    floor.issue("akta-kelahiran", now=at(1))
    floor.issue("akta-kelahiran", now=at(2))
    floor.run(cmd.open_counter, counter_id="loket-1", now=at(2))
    assert wait(floor, 1, 70).expected == 16
    assert [t.number for t in st.call_order(floor.state, "dukcapil")] == ["A001"]
    assert floor.call("loket-1", now=at(70)).queue_id == "dukcapil-akta"  # type: ignore[union-attr]


def test_the_midday_break_is_skipped() -> None:
    # mini on a Monday: 07:30-12:00 and 13:00-15:30. One counter at 10 minutes a visit, six waiting.
    floor = day(mini(), tickets=9)
    visits(floor, "loket-1", [10, 10, 10])
    # 20 minutes before the break, 40 minutes of work ahead: 20 before it, the hour of break, 20 after
    e = estimate_wait(floor.state, "dukcapil", 5, wib(MONDAY, 11, 40))
    assert (e.expected, e.breaks_skipped, e.past_closing) == (100, 60, False)
    # 40 minutes before the break with 60 minutes of work ahead of a newcomer: 40 + 60 + 20
    now = wib(MONDAY, 11, 20)
    e = estimate_wait(floor.state, "dukcapil", 7, now)
    assert (e.expected, e.breaks_skipped, e.past_closing) == (120, 60, False)
    assert 100 < e.low < 120 < e.high  # the range is laid over the hours too: both ends fall after the break
    assert e.high - e.expected == e.expected - e.low
    # the first five are called before the break (the fifth right at 12:00), the sixth after it
    before = [estimate_wait(floor.state, "dukcapil", p, now) for p in range(1, 7)]
    assert [b.expected for b in before] == [0, 10, 20, 30, 40, 110]
    assert [b.breaks_skipped for b in before] == [0, 0, 0, 0, 0, 60]
    assert walk_hours(floor.state, now, 60) == (120, 60, False)
    assert walk_hours(floor.state, wib(MONDAY, 12, 30), 10) == (40, 30, False)  # asked during the break
    assert walk_hours(floor.state, wib(MONDAY, 7), 10) == (40, 0, False)  # before opening: not a break


def test_near_closing_the_wait_runs_past_it() -> None:
    floor = day(mini(), tickets=9)
    visits(floor, "loket-1", [10, 10, 10])
    e = estimate_wait(floor.state, "dukcapil", 7, wib(MONDAY, 15))  # 60 minutes of work, 30 left today
    assert (e.expected, e.past_closing, e.breaks_skipped) == (60, True, 0)
    assert not estimate_wait(floor.state, "dukcapil", 4, wib(MONDAY, 15)).past_closing  # 30: at closing
    assert not estimate_wait(floor.state, "dukcapil", 7, wib(MONDAY, 14)).past_closing
    assert walk_hours(floor.state, wib(MONDAY, 16), 5) == (5, 0, True)  # after closing
    assert walk_hours(floor.state, wib(MONDAY, 11, 50), 200) == (260, 60, True)  # a break, then closing


def test_the_range_holds_the_expected_minutes_and_is_at_least_two_each_side() -> None:
    floor = day(tickets=20)
    visits(floor, "loket-2", [5, 12, 7, 9, 7])
    floor.run(cmd.open_counter, counter_id="loket-1", now=at(40))
    seen = []
    for p in range(1, 18):
        e = wait(floor, p, 70)
        assert 0 <= e.low <= e.expected - 2 or e.low == 0
        assert e.low <= e.expected <= e.high
        assert e.high >= e.expected + 2
        seen.append(e)
    assert seen[0] == WaitEstimate(expected=0, low=0, high=2, past_closing=False, breaks_skipped=0)
    # the range widens with the wait
    widths = [e.high - e.low for e in seen]
    assert all(a <= b for a, b in zip(widths, widths[2:], strict=False))
    assert widths[-1] > 2 * widths[2]


def test_the_range_is_narrower_when_service_times_are_steady() -> None:
    steady, erratic = day(tickets=12), day(tickets=12)
    visits(steady, "loket-2", [8, 8, 8, 8])
    visits(erratic, "loket-2", [2, 14, 4, 12])
    a, b = wait(steady, 8, 70), wait(erratic, 8, 70)
    assert a.expected == b.expected == 56
    assert a.high - a.low < b.high - b.low


def test_priority_visitors_arriving_now_push_a_regular_newcomer_back() -> None:
    floor = day(tickets=8)
    visits(floor, "loket-2", [8, 8, 8])
    calm = wait(floor, 6, 70).expected
    for i in range(6):  # a stream of priority visitors over the last hour
        floor.issue(priority="elderly", now=at(62 + i))
    place = st.positions(floor.state, "dukcapil")
    regular = [t for t in st.call_order(floor.state, "dukcapil") if not t.priority][-1]
    assert place[regular.id] == 11
    assert calm == 40
    assert wait(floor, 12, 70).expected > 11 * 8  # a newcomer: more priority visitors are likely to come
    assert wait(floor, 1, 70).expected == 0


@pytest.mark.parametrize("minutes", [0, 30, 90])
def test_estimates_do_not_change_the_state(minutes: float) -> None:
    floor = day(tickets=6)
    visits(floor, "loket-2", [6, 8, 10])
    before = (st.call_order(floor.state, "dukcapil"), dict(floor.state.counters), floor.state.last_event_id)
    estimate_wait(floor.state, "dukcapil", 3, at(60 + minutes))
    estimate_queue(floor.state, "dukcapil", at(60 + minutes))
    assert (st.call_order(floor.state, "dukcapil"), dict(floor.state.counters), floor.state.last_event_id) == before
