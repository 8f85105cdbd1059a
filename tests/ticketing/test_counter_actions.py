"""What staff do at the counter: recall, start, finish, no-show, return, transfer, call a
specific ticket, pause, close, open; and a visitor cancelling."""

from __future__ import annotations

from datetime import timedelta

import pytest

from ticketing import commands as cmd
from ticketing import state as st
from ticketing.errors import Conflict, Invalid, NotFound, Refusal
from ticketing.events import (
    CounterClosed,
    CounterOpened,
    CounterPaused,
    ServiceStarted,
    TicketCalled,
    TicketCancelled,
    TicketNoShow,
    TicketRecalled,
    TicketReturned,
    TicketServed,
    TicketTransferred,
)

from .helpers import MONDAY, Floor, allday_with, wib


def refused(floor: Floor, command: object, kind: type[Refusal], code: str | None = None, **kwargs: object) -> Refusal:
    before = floor.state.last_event_id
    with pytest.raises(kind) as info:
        command(floor.state, now=floor.tick(), **kwargs)  # type: ignore[operator]
    if code is not None:
        assert info.value.code == code
    assert floor.state.last_event_id == before
    return info.value


def called_floor(**site: object) -> tuple[Floor, str]:
    floor = Floor(allday_with(**site)) if site else Floor()
    ticket_id = floor.issue().ticket_id
    floor.call("loket-2")
    return floor, ticket_id


# --- recall -------------------------------------------------------------------------


def test_recall_counts_up_and_is_announced_again() -> None:
    floor, tid = called_floor()
    events = [floor.run(cmd.recall, counter_id="loket-2") for _ in range(3)]
    assert [e[0] for e in events] == [
        TicketRecalled(at=e[0].at, ticket_id=tid, number="A001", counter_id="loket-2", recalls=n)
        for n, e in enumerate(events, start=1)
    ]
    t = floor.ticket(tid)
    assert (t.recalls, t.status, t.called_at) == (3, "called", events[-1][0].at)
    assert [(r.number, r.recall) for r in floor.state.recent_calls] == [
        ("A001", True),
        ("A001", True),
        ("A001", True),
        ("A001", False),
    ]


def test_recall_past_the_limit_is_a_no_show() -> None:
    floor, tid = called_floor(recall_limit=2)
    assert [type(e) for e in floor.run(cmd.recall, counter_id="loket-2")] == [TicketRecalled]
    assert [type(e) for e in floor.run(cmd.recall, counter_id="loket-2")] == [TicketRecalled]
    (event,) = floor.run(cmd.recall, counter_id="loket-2")
    assert event == TicketNoShow(at=event.at, ticket_id=tid, number="A001", counter_id="loket-2", reason="recall_limit")
    t = floor.ticket(tid)
    assert (t.status, t.recalls, t.finished_at) == ("no_show", 2, event.at)
    assert floor.state.counters["loket-2"].ticket_id is None
    assert floor.state.counters["loket-2"].status == "open"


def test_recall_while_serving_is_a_conflict() -> None:
    floor, _ = called_floor()
    floor.run(cmd.start_service, counter_id="loket-2")
    err = refused(floor, cmd.recall, Conflict, "not_called", counter_id="loket-2")
    assert "A001" in err.message


def test_recall_with_no_ticket_is_a_conflict() -> None:
    floor = Floor()
    refused(floor, cmd.recall, Conflict, "no_current_ticket", counter_id="loket-2")
    refused(floor, cmd.recall, NotFound, counter_id="loket-9")


# --- start, finish, no-show ---------------------------------------------------------


def test_start_then_finish() -> None:
    floor, tid = called_floor()
    start, end = floor.tick(2), floor.tick(7)
    assert floor.run(cmd.start_service, counter_id="loket-2", now=start) == [
        ServiceStarted(at=start, ticket_id=tid, number="A001", counter_id="loket-2")
    ]
    assert floor.ticket(tid).status == "serving"
    assert floor.ticket(tid).started_at == start
    assert floor.run(cmd.finish, counter_id="loket-2", now=end) == [
        TicketServed(at=end, ticket_id=tid, number="A001", counter_id="loket-2")
    ]
    t = floor.ticket(tid)
    assert (t.status, t.finished_at) == ("served", end)
    assert list(floor.state.queues["dukcapil"].service_seconds) == [420.0]
    assert floor.state.counters["loket-2"].ticket_id is None


def test_start_twice_is_a_conflict() -> None:
    floor, _ = called_floor()
    floor.run(cmd.start_service, counter_id="loket-2")
    refused(floor, cmd.start_service, Conflict, "already_started", counter_id="loket-2")


def test_finish_without_start_is_a_conflict() -> None:
    floor, tid = called_floor()
    err = refused(floor, cmd.finish, Conflict, "not_started", counter_id="loket-2")
    assert "A001" in err.message
    assert floor.ticket(tid).status == "called"


def test_start_finish_no_show_need_a_current_ticket() -> None:
    floor = Floor()
    for command in (cmd.start_service, cmd.finish, cmd.no_show, cmd.return_to_queue):
        refused(floor, command, Conflict, "no_current_ticket", counter_id="loket-1")
    refused(floor, cmd.transfer, Conflict, "no_current_ticket", counter_id="loket-1", service_id="paspor-baru")


def test_no_show_only_when_called() -> None:
    floor, tid = called_floor()
    (event,) = floor.run(cmd.no_show, counter_id="loket-2")
    assert event == TicketNoShow(at=event.at, ticket_id=tid, number="A001", counter_id="loket-2", reason="staff")
    assert floor.ticket(tid).status == "no_show"
    floor.issue()
    floor.call("loket-2")
    floor.run(cmd.start_service, counter_id="loket-2")
    refused(floor, cmd.no_show, Conflict, "already_started", counter_id="loket-2")


# --- return to queue ----------------------------------------------------------------


def test_return_to_queue_keeps_the_original_place() -> None:
    floor = Floor()
    first = floor.issue()
    for _ in range(3):
        floor.issue()
    floor.call("loket-2")
    floor.issue()  # A005 arrives while A001 is at the counter
    (event,) = floor.run(cmd.return_to_queue, counter_id="loket-2", now=floor.tick(15))
    assert event == TicketReturned(at=event.at, ticket_id=first.ticket_id, number="A001", counter_id="loket-2")
    t = floor.ticket(first.ticket_id)
    assert (t.status, t.counter_id, t.called_at, t.started_at, t.recalls) == ("waiting", None, None, None, 0)
    assert t.arrived_at == first.at
    assert floor.order("dukcapil") == ["A001", "A002", "A003", "A004", "A005"]
    assert st.positions(floor.state, "dukcapil")[first.ticket_id] == 1
    assert floor.state.counters["loket-2"].ticket_id is None
    assert floor.call("loket-1").number == "A001"  # type: ignore[union-attr]


def test_return_after_start_and_recalls_resets_them() -> None:
    floor, tid = called_floor()
    floor.issue()
    floor.run(cmd.recall, counter_id="loket-2")
    floor.run(cmd.start_service, counter_id="loket-2")
    floor.run(cmd.return_to_queue, counter_id="loket-2")
    assert floor.order("dukcapil") == ["A001", "A002"]
    assert floor.ticket(tid).recalls == 0
    assert floor.call("loket-2").number == "A001"  # type: ignore[union-attr]
    assert floor.ticket(tid).status == "called"
    refused(floor, cmd.finish, Conflict, "not_started", counter_id="loket-2")


# --- transfer -----------------------------------------------------------------------


def test_transfer_keeps_the_original_arrival_time() -> None:
    floor = Floor()
    b1 = floor.issue("paspor-baru", now=wib(MONDAY, 8, 0))  # B001, earlier than the transferred visitor
    a1 = floor.issue("ktp-el", now=wib(MONDAY, 8, 5))  # A001
    floor.issue("paspor-baru", now=wib(MONDAY, 8, 10))  # B002
    floor.issue("penggantian-paspor", now=wib(MONDAY, 8, 20))  # B003
    floor.call("loket-1", now=wib(MONDAY, 8, 30))
    at = wib(MONDAY, 8, 40)
    (event,) = floor.run(cmd.transfer, counter_id="loket-1", service_id="penggantian-paspor", now=at)
    assert event == TicketTransferred(
        at=at,
        ticket_id=a1.ticket_id,
        number="A001",
        counter_id="loket-1",
        from_service_id="ktp-el",
        service_id="penggantian-paspor",
        queue_id="imigrasi",
        agency_id="imigrasi",
    )
    t = floor.ticket(a1.ticket_id)
    assert (t.status, t.number, t.service_id, t.queue_id, t.agency_id) == (
        "waiting",
        "A001",
        "penggantian-paspor",
        "imigrasi",
        "imigrasi",
    )
    assert (t.arrived_at, t.issued_at, t.transfers, t.counter_id) == (a1.at, a1.at, 1, None)
    assert floor.order("imigrasi") == ["B001", "A001", "B002", "B003"]
    assert floor.order("dukcapil") == []
    assert floor.state.counters["loket-1"].ticket_id is None
    assert floor.drain("loket-3") == ["B001", "A001", "B002", "B003"]
    called = [r.event for r in floor.records if isinstance(r.event, TicketCalled) and r.event.counter_id == "loket-3"]
    assert called[1].queue_id == "imigrasi"
    assert b1.number == "B001"


def test_transfer_within_the_agency_and_back_counts_transfers() -> None:
    floor = Floor()
    a1 = floor.issue("ktp-el")
    floor.issue("akta-kelahiran")  # AK001 arrived after A001
    floor.call("loket-2")
    floor.run(cmd.transfer, counter_id="loket-2", service_id="akta-kelahiran")
    assert floor.order("dukcapil-akta") == ["A001", "AK001"]
    floor.call("loket-1")
    floor.run(cmd.start_service, counter_id="loket-1")
    floor.run(cmd.transfer, counter_id="loket-1", service_id="ktp-el")
    t = floor.ticket(a1.ticket_id)
    assert (t.service_id, t.queue_id, t.transfers, t.started_at) == ("ktp-el", "dukcapil", 2, None)
    assert floor.order("dukcapil") == ["A001"]


def test_transfer_keeps_the_priority_lane() -> None:
    floor = Floor()
    p = floor.issue("ktp-el", priority="disabled")
    floor.issue("paspor-baru")
    floor.call("loket-2")
    floor.run(cmd.transfer, counter_id="loket-2", service_id="paspor-baru")
    assert [t.id for t in floor.state.queues["imigrasi"].priority] == [p.ticket_id]
    assert floor.order("imigrasi") == ["A001", "B001"]


def test_transfer_to_the_same_service_is_invalid() -> None:
    floor, tid = called_floor()
    err = refused(floor, cmd.transfer, Invalid, "invalid", counter_id="loket-2", service_id="ktp-el")
    assert "A001" in err.message
    assert floor.ticket(tid).status == "called"


def test_transfer_to_an_unknown_service_is_not_found() -> None:
    floor, _ = called_floor()
    err = refused(floor, cmd.transfer, NotFound, "not_found", counter_id="loket-2", service_id="sim")
    assert "sim" in err.message


# --- call a specific ticket ---------------------------------------------------------


def test_call_specific_takes_a_waiting_ticket_out_of_turn() -> None:
    floor = Floor()
    floor.issue()
    floor.issue()
    third = floor.issue()
    now = floor.tick()
    events = floor.run(cmd.call_specific, counter_id="loket-2", ticket_id=third.ticket_id, now=now)
    assert events == [
        CounterOpened(at=now, counter_id="loket-2"),
        TicketCalled(
            at=now, ticket_id=third.ticket_id, number="A003", counter_id="loket-2", queue_id="dukcapil", specific=True
        ),
    ]
    assert floor.ticket(third.ticket_id).status == "called"
    assert floor.order("dukcapil") == ["A001", "A002"]


def test_call_specific_does_not_change_the_priority_streak() -> None:
    floor = Floor(allday_with(priority_max_in_row=2))
    for _ in range(2):
        floor.issue()  # A001, A002
    prio = [floor.issue(priority="elderly") for _ in range(4)]  # A003-A006
    floor.call("loket-2")  # A003, streak 1
    floor.run(cmd.no_show, counter_id="loket-2")
    assert floor.state.queues["dukcapil"].priority_streak == 1
    floor.run(cmd.call_specific, counter_id="loket-2", ticket_id=prio[2].ticket_id)  # A005
    floor.run(cmd.no_show, counter_id="loket-2")
    assert floor.state.queues["dukcapil"].priority_streak == 1
    regular = floor.ticket_id_of("A002")
    floor.run(cmd.call_specific, counter_id="loket-2", ticket_id=regular)
    floor.run(cmd.no_show, counter_id="loket-2")
    assert floor.state.queues["dukcapil"].priority_streak == 1
    assert floor.drain("loket-2") == ["A004", "A001", "A006"]


def test_call_specific_from_another_queue_of_the_counter() -> None:
    floor = Floor()
    floor.issue("ktp-el")
    ak = floor.issue("akta-kelahiran")
    floor.run(cmd.open_counter, counter_id="loket-1")
    (event,) = floor.run(cmd.call_specific, counter_id="loket-1", ticket_id=ak.ticket_id)
    assert isinstance(event, TicketCalled)
    assert (event.number, event.queue_id, event.specific) == ("AK001", "dukcapil-akta", True)
    floor.serve("loket-1")
    assert floor.drain("loket-1") == ["A001"]


def test_call_specific_of_a_queue_the_counter_does_not_serve() -> None:
    floor = Floor()
    ak = floor.issue("akta-kelahiran")
    err = refused(floor, cmd.call_specific, Conflict, "wrong_queue", counter_id="loket-2", ticket_id=ak.ticket_id)
    assert "AK001" in err.message
    assert floor.ticket(ak.ticket_id).status == "waiting"


def test_call_specific_of_a_ticket_that_is_not_waiting() -> None:
    floor = Floor()
    a1, a2 = floor.issue(), floor.issue()
    floor.call("loket-1")
    refused(floor, cmd.call_specific, Conflict, "not_waiting", counter_id="loket-2", ticket_id=a1.ticket_id)
    floor.run(cmd.cancel_ticket, ticket_id=a2.ticket_id)
    refused(floor, cmd.call_specific, Conflict, "not_waiting", counter_id="loket-2", ticket_id=a2.ticket_id)
    refused(floor, cmd.call_specific, NotFound, "not_found", counter_id="loket-2", ticket_id="nope")
    # a busy counter cannot call another one
    a3 = floor.issue()
    refused(floor, cmd.call_specific, Conflict, "counter_busy", counter_id="loket-1", ticket_id=a3.ticket_id)


# --- pause, close, open -------------------------------------------------------------


def test_open_pause_close_cycle() -> None:
    floor = Floor()
    c = floor.state.counters["loket-2"]
    assert c.status == "closed"
    (opened,) = floor.run(cmd.open_counter, counter_id="loket-2")
    assert opened == CounterOpened(at=opened.at, counter_id="loket-2")
    assert (c.status, c.since) == ("open", opened.at)
    (paused,) = floor.run(cmd.pause_counter, counter_id="loket-2", reason="  Istirahat sholat  ")
    assert paused == CounterPaused(at=paused.at, counter_id="loket-2", reason="Istirahat sholat")
    assert (c.status, c.pause_reason, c.since) == ("paused", "Istirahat sholat", paused.at)
    (reopened,) = floor.run(cmd.open_counter, counter_id="loket-2")
    assert isinstance(reopened, CounterOpened)
    assert (c.status, c.pause_reason) == ("open", "")
    (closed,) = floor.run(cmd.close_counter, counter_id="loket-2")
    assert closed == CounterClosed(at=closed.at, counter_id="loket-2")
    assert c.status == "closed"


def test_open_an_open_counter_gives_no_events() -> None:
    floor = Floor()
    floor.run(cmd.open_counter, counter_id="loket-2")
    assert floor.run(cmd.open_counter, counter_id="loket-2") == []
    refused(floor, cmd.open_counter, NotFound, counter_id="loket-0")


def test_close_a_closed_counter_gives_no_events() -> None:
    floor = Floor()
    assert floor.run(cmd.close_counter, counter_id="loket-2") == []
    floor.run(cmd.open_counter, counter_id="loket-2")
    floor.run(cmd.pause_counter, counter_id="loket-2")
    assert [type(e) for e in floor.run(cmd.close_counter, counter_id="loket-2")] == [CounterClosed]
    assert floor.run(cmd.close_counter, counter_id="loket-2") == []


def test_pause_or_close_a_busy_counter_is_a_conflict() -> None:
    floor, _ = called_floor()
    refused(floor, cmd.pause_counter, Conflict, "counter_busy", counter_id="loket-2", reason="makan")
    refused(floor, cmd.close_counter, Conflict, "counter_busy", counter_id="loket-2")
    floor.run(cmd.start_service, counter_id="loket-2")
    refused(floor, cmd.close_counter, Conflict, "counter_busy", counter_id="loket-2")
    floor.run(cmd.finish, counter_id="loket-2")
    assert [type(e) for e in floor.run(cmd.pause_counter, counter_id="loket-2", reason="makan")] == [CounterPaused]
    assert floor.state.counters["loket-2"].pause_reason == "makan"


def test_pause_a_closed_counter_is_a_conflict() -> None:
    floor = Floor()
    err = refused(floor, cmd.pause_counter, Conflict, "closed", counter_id="loket-2")
    assert "Loket 2" in err.message


def test_pause_reason_too_long_is_invalid() -> None:
    floor = Floor()
    floor.run(cmd.open_counter, counter_id="loket-2")
    refused(floor, cmd.pause_counter, Invalid, counter_id="loket-2", reason="x" * 201)
    assert floor.run(cmd.pause_counter, counter_id="loket-2", reason="x" * 200)[0].reason == "x" * 200  # type: ignore[attr-defined]


# --- cancel -------------------------------------------------------------------------


def test_cancel_a_waiting_ticket() -> None:
    floor = Floor()
    a1, a2, a3 = floor.issue(), floor.issue(priority="elderly"), floor.issue()
    now = floor.tick()
    assert floor.run(cmd.cancel_ticket, ticket_id=a2.ticket_id, now=now) == [
        TicketCancelled(at=now, ticket_id=a2.ticket_id, number="A002")
    ]
    assert (floor.ticket(a2.ticket_id).status, floor.ticket(a2.ticket_id).finished_at) == ("cancelled", now)
    assert floor.order("dukcapil") == ["A001", "A003"]
    assert floor.drain("loket-2") == ["A001", "A003"]
    assert a1.number == "A001" and a3.number == "A003"


def test_cancel_only_while_waiting() -> None:
    floor, tid = called_floor()
    refused(floor, cmd.cancel_ticket, Conflict, "not_waiting", ticket_id=tid)
    floor.run(cmd.start_service, counter_id="loket-2")
    refused(floor, cmd.cancel_ticket, Conflict, "not_waiting", ticket_id=tid)
    floor.run(cmd.finish, counter_id="loket-2")
    refused(floor, cmd.cancel_ticket, Conflict, "not_waiting", ticket_id=tid)
    other = floor.issue()
    floor.run(cmd.cancel_ticket, ticket_id=other.ticket_id)
    refused(floor, cmd.cancel_ticket, Conflict, "not_waiting", ticket_id=other.ticket_id)
    refused(floor, cmd.cancel_ticket, NotFound, "not_found", ticket_id="nope")


def test_returned_ticket_waits_again_after_time_passes() -> None:
    floor, tid = called_floor()
    floor.run(cmd.return_to_queue, counter_id="loket-2", now=floor.tick(60))
    assert floor.ticket(tid).arrived_at == wib(MONDAY, 8, 1)
    assert st.longest_wait_minutes(floor.state, "dukcapil", wib(MONDAY, 8, 1) + timedelta(minutes=90)) == 90
