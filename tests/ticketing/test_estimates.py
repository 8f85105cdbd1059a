"""call_order, positions and estimates tell the visitor what call_next will really do."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest

from ticketing import commands as cmd
from ticketing import state as st

from .helpers import MONDAY, Floor, allday_with, wib


def _mixed(floor: Floor, pattern: str, service: str = "ktp-el") -> None:
    """Issue one ticket per letter: P priority, R regular."""
    for ch in pattern:
        floor.issue(service, priority="elderly" if ch == "P" else None)


@pytest.mark.parametrize("limit", [1, 2, 3])
@pytest.mark.parametrize("pattern", ["PPPPPPRRR", "RRRPPPPPP", "RPRPRPPPR", "PPPP", "RRRR", "RPPPPPPPPR"])
def test_call_order_is_the_order_call_next_calls(limit: int, pattern: str) -> None:
    floor = Floor(allday_with(priority_max_in_row=limit))
    _mixed(floor, pattern)
    predicted = floor.order("dukcapil")
    assert sorted(predicted) == sorted(t.number for t in floor.state.tickets.values())
    assert floor.drain("loket-2") == predicted


def test_call_order_with_a_streak_already_running() -> None:
    floor = Floor(allday_with(priority_max_in_row=2))
    _mixed(floor, "PRRPPPR")  # A001 P, A002 R, A003 R, A004-A006 P, A007 R
    assert floor.call("loket-2").number == "A001"  # type: ignore[union-attr]
    floor.run(cmd.no_show, counter_id="loket-2")
    assert floor.state.queues["dukcapil"].priority_streak == 1
    predicted = floor.order("dukcapil")
    assert predicted == ["A004", "A002", "A005", "A006", "A003", "A007"]
    assert floor.drain("loket-2") == predicted


def test_call_order_matches_while_people_keep_arriving() -> None:
    rng = random.Random(2026)
    floor = Floor(allday_with(priority_max_in_row=2))
    for _ in range(60):
        if rng.random() < 0.6:
            floor.issue(priority=rng.choice([None, None, "elderly"]))
        predicted = floor.order("dukcapil")
        called = floor.call("loket-2")
        if called is None:
            assert predicted == []
            continue
        assert called.number == predicted[0]
        # the others keep their relative order, each one place nearer
        ranks = st.positions(floor.state, "dukcapil")
        assert sorted(ranks, key=ranks.__getitem__) == [floor.ticket_id_of(n) for n in predicted[1:]]
        assert sorted(ranks.values()) == list(range(1, len(predicted)))
        floor.serve("loket-2")


def test_positions_count_from_one_in_call_order() -> None:
    floor = Floor(allday_with(priority_max_in_row=2))
    _mixed(floor, "RRPPP")
    by_number = {floor.state.tickets[t].number: p for t, p in st.positions(floor.state, "dukcapil").items()}
    assert by_number == {"A003": 1, "A004": 2, "A001": 3, "A005": 4, "A002": 5}
    assert st.positions(floor.state, "imigrasi") == {}


def test_positions_move_up_as_tickets_are_called_or_cancelled() -> None:
    floor = Floor()
    ids = [floor.issue().ticket_id for _ in range(4)]
    assert [st.positions(floor.state, "dukcapil")[t] for t in ids] == [1, 2, 3, 4]
    floor.call("loket-2")
    floor.run(cmd.cancel_ticket, ticket_id=ids[2])
    assert st.positions(floor.state, "dukcapil") == {ids[1]: 1, ids[3]: 2}


def test_estimate_grows_with_position() -> None:
    floor = Floor()  # 8 minutes per visitor by default; no counter open yet counts as one
    assert st.service_minutes(floor.state, "dukcapil") == 8.0
    assert st.working_counters(floor.state, "dukcapil") == 0
    assert [st.estimate_minutes(floor.state, "dukcapil", p) for p in (1, 2, 3, 10)] == [8, 16, 24, 80]


def test_estimate_shrinks_with_more_open_counters() -> None:
    floor = Floor()
    floor.run(cmd.open_counter, counter_id="loket-2")
    assert st.working_counters(floor.state, "dukcapil") == 1
    one = [st.estimate_minutes(floor.state, "dukcapil", p) for p in (1, 2, 3)]
    floor.run(cmd.open_counter, counter_id="loket-1")
    assert st.working_counters(floor.state, "dukcapil") == 2
    two = [st.estimate_minutes(floor.state, "dukcapil", p) for p in (1, 2, 3)]
    assert one == [8, 16, 24]
    assert two == [4, 8, 12]
    # a paused or closed counter does not count; loket-3 never serves dukcapil
    floor.run(cmd.open_counter, counter_id="loket-3")
    floor.run(cmd.pause_counter, counter_id="loket-1")
    assert st.working_counters(floor.state, "dukcapil") == 1
    assert st.estimate_minutes(floor.state, "dukcapil", 3) == 24
    floor.run(cmd.close_counter, counter_id="loket-2")
    assert st.working_counters(floor.state, "dukcapil") == 0
    assert st.estimate_minutes(floor.state, "dukcapil", 3) == 24


def test_estimate_rounds_up() -> None:
    floor = Floor()
    floor.run(cmd.open_counter, counter_id="loket-1")
    floor.run(cmd.open_counter, counter_id="loket-2")
    _serve_for(floor, [3, 3, 4])  # mean 3.333 minutes
    assert st.estimate_minutes(floor.state, "dukcapil", 1) == 2  # 1.67 -> 2
    assert st.estimate_minutes(floor.state, "dukcapil", 3) == 5  # 5.0 -> 5


def _serve_for(floor: Floor, minutes: list[float], counter: str = "loket-2", service: str = "ktp-el") -> None:
    for m in minutes:
        floor.issue(service)
        floor.call(counter)
        floor.serve(counter, minutes=m)


def test_service_minutes_switch_to_the_observed_mean_after_three_services() -> None:
    floor = Floor()
    assert st.service_minutes(floor.state, "dukcapil") == 8.0
    _serve_for(floor, [4, 6])
    assert st.service_minutes(floor.state, "dukcapil") == 8.0  # two samples: still the configured figure
    _serve_for(floor, [11])
    assert st.service_minutes(floor.state, "dukcapil") == pytest.approx(7.0)
    _serve_for(floor, [3])
    assert st.service_minutes(floor.state, "dukcapil") == pytest.approx(6.0)
    assert st.estimate_minutes(floor.state, "dukcapil", 2) == 12
    # other queues keep their own figure
    assert st.service_minutes(floor.state, "dukcapil-akta") == 8.0


def test_no_shows_and_returns_are_not_service_samples() -> None:
    floor = Floor()
    for _ in range(3):
        floor.issue()
        floor.call("loket-2")
        floor.run(cmd.no_show, counter_id="loket-2")
    floor.issue()
    floor.call("loket-2")
    floor.run(cmd.start_service, counter_id="loket-2")
    floor.run(cmd.return_to_queue, counter_id="loket-2", now=floor.tick(30))
    assert list(floor.state.queues["dukcapil"].service_seconds) == []
    assert st.service_minutes(floor.state, "dukcapil") == 8.0


def test_configured_service_minutes_per_queue() -> None:
    floor = Floor(allday_with(service_minutes=5))
    assert st.service_minutes(floor.state, "imigrasi") == 5.0
    assert st.estimate_minutes(floor.state, "imigrasi", 4) == 20


def test_estimate_is_not_pushed_up_a_minute_by_float_noise() -> None:
    floor = Floor(allday_with(service_minutes=2.2))
    assert 25 * 2.2 > 55  # 55.00000000000001 in binary floating point
    assert st.estimate_minutes(floor.state, "imigrasi", 25) == 55
    assert st.estimate_minutes(floor.state, "imigrasi", 26) == 58  # 57.2 -> 58
    floor = Floor()
    _serve_for(floor, [124 / 60] * 3)  # observed mean 124 s
    assert st.estimate_minutes(floor.state, "dukcapil", 15) == 31


def test_longest_wait_minutes() -> None:
    floor = Floor()
    t0 = wib(MONDAY, 9)
    assert st.longest_wait_minutes(floor.state, "dukcapil", t0) == 0
    floor.issue(now=t0)
    floor.issue(priority="elderly", now=t0 + timedelta(minutes=10))
    floor.issue("paspor-baru", now=t0 - timedelta(minutes=50))  # another queue
    assert st.longest_wait_minutes(floor.state, "dukcapil", t0 + timedelta(minutes=12, seconds=59)) == 12
    floor.call("loket-2", now=t0 + timedelta(minutes=20))  # the priority visitor goes first
    assert st.longest_wait_minutes(floor.state, "dukcapil", t0 + timedelta(minutes=35)) == 35
    floor.call("loket-1", now=t0 + timedelta(minutes=40))
    assert st.longest_wait_minutes(floor.state, "dukcapil", t0 + timedelta(minutes=45)) == 0
