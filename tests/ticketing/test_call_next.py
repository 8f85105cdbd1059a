"""call_next: FIFO, priority first without starving the regular lane, tiers, several counters."""

from __future__ import annotations

import pytest

from config.loader import parse_mall
from ticketing import commands as cmd
from ticketing.errors import Conflict, NotFound
from ticketing.events import CounterOpened, TicketCalled

from .helpers import Floor, allday_with


def test_first_in_first_out() -> None:
    floor = Floor()
    for _ in range(4):
        floor.issue()
    assert floor.drain("loket-2") == ["A001", "A002", "A003", "A004"]


def test_call_next_events_and_state() -> None:
    floor = Floor()
    issued = floor.issue()
    now = floor.tick(5)
    events = floor.run(cmd.call_next, counter_id="loket-2", now=now)
    assert events == [
        CounterOpened(at=now, counter_id="loket-2"),
        TicketCalled(at=now, ticket_id=issued.ticket_id, number="A001", counter_id="loket-2", queue_id="dukcapil"),
    ]
    t = floor.ticket(issued.ticket_id)
    assert (t.status, t.counter_id, t.called_at, t.recalls) == ("called", "loket-2", now, 0)
    c = floor.state.counters["loket-2"]
    assert (c.status, c.ticket_id, c.since) == ("open", issued.ticket_id, now)
    assert floor.state.queues["dukcapil"].waiting == 0
    assert [(r.number, r.counter_id, r.recall) for r in floor.state.recent_calls] == [("A001", "loket-2", False)]


def test_priority_is_called_first() -> None:
    floor = Floor()
    floor.issue()
    floor.issue()
    floor.issue(priority="elderly")
    assert floor.drain("loket-2") == ["A003", "A001", "A002"]


def test_anti_starvation_two_priority_then_one_regular() -> None:
    floor = Floor(allday_with(priority_max_in_row=2))
    for _ in range(4):
        floor.issue()  # A001-A004 regular, earlier
    for _ in range(6):
        floor.issue(priority="disabled")  # A005-A010 priority
    assert floor.drain("loket-2") == [
        "A005",
        "A006",
        "A001",
        "A007",
        "A008",
        "A002",
        "A009",
        "A010",
        "A003",
        "A004",
    ]


def test_anti_starvation_limit_three() -> None:
    floor = Floor(allday_with(priority_max_in_row=3))
    regular = [floor.issue().number for _ in range(3)]
    priority = [floor.issue(priority="pregnant_or_child").number for _ in range(7)]
    assert regular == ["A001", "A002", "A003"]
    p, r = priority, regular
    assert floor.drain("loket-2") == [*p[:3], r[0], *p[3:6], r[1], p[6], r[2]]


def test_priority_streak_survives_across_calls_and_resets_on_regular() -> None:
    floor = Floor(allday_with(priority_max_in_row=2))
    floor.issue(priority="elderly")
    floor.issue(priority="elderly")
    assert floor.drain("loket-2") == ["A001", "A002"]
    assert floor.state.queues["dukcapil"].priority_streak == 2
    floor.issue()  # A003 regular
    floor.issue(priority="elderly")  # A004
    assert floor.call("loket-2").number == "A003"  # type: ignore[union-attr]
    assert floor.state.queues["dukcapil"].priority_streak == 0


def test_priority_streak_is_per_queue() -> None:
    floor = Floor(allday_with(priority_max_in_row=1))
    floor.issue("paspor-baru", priority="elderly")
    floor.issue("ktp-el")
    floor.issue("ktp-el", priority="elderly")
    assert floor.drain("loket-3") == ["B001"]
    assert floor.state.queues["imigrasi"].priority_streak == 1
    assert floor.state.queues["dukcapil"].priority_streak == 0
    assert floor.drain("loket-2") == ["A002", "A001"]


TIERS = """
[site]
name = "MPP Tingkat"
priority_max_in_row = 2
[site.hours]
mon = ["00:00-24:00"]
[[agencies]]
id = "dukcapil"
name = "Dukcapil"
prefix = "A"
[[queues]]
id = "akta"
agency = "dukcapil"
prefix = "AK"
[[queues]]
id = "kia"
agency = "dukcapil"
prefix = "K"
[[services]]
id = "ktp-el"
agency = "dukcapil"
name = "KTP-el"
[[services]]
id = "akta-kelahiran"
agency = "dukcapil"
queue = "akta"
name = "Akta Kelahiran"
[[services]]
id = "kia"
agency = "dukcapil"
queue = "kia"
name = "Kartu Identitas Anak"
[[counters]]
id = "loket-1"
label = "Loket 1"
agency = "dukcapil"
queues = ["akta", ["dukcapil", "kia"]]
"""


def test_counter_takes_from_the_first_tier_that_has_someone() -> None:
    floor = Floor(parse_mall(TIERS))
    assert floor.mall.counters["loket-1"].queue_tiers == (("akta",), ("dukcapil", "kia"))
    floor.issue("ktp-el")  # A001, earliest
    floor.issue("kia")  # K001
    floor.issue("akta-kelahiran")  # AK001, latest but first tier
    floor.issue("akta-kelahiran")  # AK002
    called = floor.call("loket-1")
    assert called is not None
    assert (called.number, called.queue_id) == ("AK001", "akta")
    floor.run(cmd.no_show, counter_id="loket-1")
    floor.issue("ktp-el")  # A002
    assert floor.drain("loket-1") == ["AK002", "A001", "K001", "A002"]


def test_within_a_tier_the_longest_wait_goes_first() -> None:
    floor = Floor()  # allday loket-1 serves [["dukcapil", "dukcapil-akta"]]
    floor.issue("akta-kelahiran")  # AK001
    floor.issue("ktp-el")  # A001
    floor.issue("ktp-el")  # A002
    floor.issue("akta-kelahiran")  # AK002
    floor.issue("ktp-el")  # A003
    assert floor.drain("loket-1") == ["AK001", "A001", "A002", "AK002", "A003"]


def test_within_a_tier_a_priority_head_competes_by_arrival() -> None:
    floor = Floor()
    floor.issue("akta-kelahiran")  # AK001 regular
    floor.issue("ktp-el", priority="elderly")  # A001 priority, later
    floor.issue("akta-kelahiran", priority="elderly")  # AK002 priority, latest
    # each queue offers its own next (AK002 in akta, A001 in dukcapil); the longer wait wins
    assert floor.drain("loket-1") == ["A001", "AK002", "AK001"]


def test_nobody_waiting_gives_no_events() -> None:
    floor = Floor()
    assert floor.run(cmd.call_next, counter_id="loket-2") == []
    assert floor.state.counters["loket-2"].status == "closed"
    floor.issue("paspor-baru")  # someone waits, but not for loket-2
    assert floor.run(cmd.call_next, counter_id="loket-2") == []
    assert len(floor.records) == 1  # only the issue


def test_counter_still_holding_a_ticket_is_busy() -> None:
    floor = Floor()
    floor.issue()
    floor.issue()
    floor.call("loket-2")
    for action in (None, cmd.start_service):
        if action:
            floor.run(action, counter_id="loket-2")
        with pytest.raises(Conflict) as info:
            cmd.call_next(floor.state, counter_id="loket-2", now=floor.tick())
        assert info.value.code == "counter_busy"
        assert "A001" in info.value.message
    floor.run(cmd.finish, counter_id="loket-2")
    assert floor.call("loket-2").number == "A002"  # type: ignore[union-attr]


@pytest.mark.parametrize("before", ["closed", "paused"])
def test_call_next_opens_a_closed_or_paused_counter(before: str) -> None:
    floor = Floor()
    if before == "paused":
        floor.run(cmd.open_counter, counter_id="loket-2")
        floor.run(cmd.pause_counter, counter_id="loket-2", reason="istirahat")
    assert floor.state.counters["loket-2"].status == before
    issued = floor.issue()
    events = floor.run(cmd.call_next, counter_id="loket-2")
    assert [type(e) for e in events] == [CounterOpened, TicketCalled]
    assert events[1].ticket_id == issued.ticket_id  # type: ignore[attr-defined]
    c = floor.state.counters["loket-2"]
    assert (c.status, c.pause_reason) == ("open", "")


def test_call_next_on_an_open_counter_does_not_reopen_it() -> None:
    floor = Floor()
    floor.run(cmd.open_counter, counter_id="loket-2")
    floor.issue()
    assert [type(e) for e in floor.run(cmd.call_next, counter_id="loket-2")] == [TicketCalled]


def test_unknown_counter_is_not_found() -> None:
    floor = Floor()
    floor.issue()
    with pytest.raises(NotFound) as info:
        cmd.call_next(floor.state, counter_id="loket-99", now=floor.tick())
    assert "loket-99" in info.value.message


def test_two_counters_calling_in_turn_never_get_the_same_ticket() -> None:
    floor = Floor()
    for i in range(12):
        floor.issue("akta-kelahiran" if i % 3 == 0 else "ktp-el", priority="elderly" if i % 4 == 1 else None)
    called: list[str] = []
    counters = ["loket-1", "loket-2"]
    while True:
        got = [floor.call(c) for c in counters]
        called += [e.ticket_id for e in got if e is not None]
        for c in counters:
            if floor.state.counters[c].ticket_id:
                floor.serve(c)
        if all(e is None for e in got):
            break
    assert len(called) == 12
    assert len(set(called)) == 12
    assert all(t.status == "served" for t in floor.state.tickets.values())
    # loket-2 serves only the dukcapil queue
    assert all(
        floor.ticket(r.event.ticket_id).queue_id == "dukcapil"  # type: ignore[union-attr]
        for r in floor.records
        if isinstance(r.event, TicketCalled) and r.event.counter_id == "loket-2"
    )


def test_the_same_decision_twice_cannot_both_be_applied() -> None:
    floor = Floor()
    floor.issue()
    floor.issue()
    state = floor.state
    first = cmd.call_next(state, counter_id="loket-1", now=floor.tick())
    # after the first is appended, the other counter decides again on the new state
    for e in first:
        floor.append(e)
    second = cmd.call_next(state, counter_id="loket-2", now=floor.tick())
    assert first[-1].number == "A001"  # type: ignore[attr-defined]
    assert second[-1].number == "A002"  # type: ignore[attr-defined]
