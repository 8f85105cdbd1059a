"""Ticket numbers: per queue, never reused within a day, restarting each service day in local time."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from ticketing import commands as cmd
from ticketing import state as st
from ticketing.events import Recorded, TicketIssued, encode_event

from .helpers import MONDAY, WIB, Floor, allday, wib


def test_first_tickets_are_numbered_a001_a002_a003() -> None:
    floor = Floor()
    assert [floor.issue().number for _ in range(3)] == ["A001", "A002", "A003"]
    assert [t.seq for t in floor.state.tickets.values()] == [1, 2, 3]


def test_each_queue_numbers_on_its_own() -> None:
    floor = Floor()
    numbers = [
        floor.issue("ktp-el").number,
        floor.issue("akta-kelahiran").number,
        floor.issue("ktp-el").number,
        floor.issue("paspor-baru").number,
        floor.issue("akta-kelahiran").number,
        floor.issue("penggantian-paspor").number,  # same queue (imigrasi) as paspor-baru
    ]
    assert numbers == ["A001", "AK001", "A002", "B001", "AK002", "B002"]
    assert floor.state.queues["dukcapil"].next_seq == 3
    assert floor.state.queues["dukcapil-akta"].next_seq == 3
    assert floor.state.queues["imigrasi"].next_seq == 3


def test_issued_event_carries_queue_service_agency_and_options() -> None:
    floor = Floor()
    now = wib(MONDAY, 9, 15)
    event = floor.issue("akta-kelahiran", ticket_id="abc", now=now, priority="elderly", kiosk_id="kiosk-1", lang="en")
    assert event == TicketIssued(
        at=now,
        ticket_id="abc",
        number="AK001",
        seq=1,
        queue_id="dukcapil-akta",
        service_id="akta-kelahiran",
        agency_id="dukcapil",
        priority="elderly",
        kiosk_id="kiosk-1",
        lang="en",
        printer_id="printer-1",  # kiosk-1's printer, its status not known to be bad
    )
    t = floor.ticket("abc")
    assert (t.status, t.issued_at, t.arrived_at, t.priority, t.lang) == ("waiting", now, now, "elderly", "en")
    assert (t.printer_id, t.copies_ordered, t.copies_done) == ("printer-1", 1, 0)


def test_issue_is_pure_until_appended() -> None:
    floor = Floor()
    events = cmd.issue_ticket(floor.state, service_id="ktp-el", ticket_id="x", now=wib(MONDAY, 8))
    assert [e.number for e in events] == ["A001"]  # type: ignore[attr-defined]
    assert floor.state.tickets == {}
    assert floor.state.queues["dukcapil"].next_seq == 1
    again = cmd.issue_ticket(floor.state, service_id="ktp-el", ticket_id="y", now=wib(MONDAY, 8))
    assert again[0].number == "A001"  # type: ignore[attr-defined]


def test_a999_is_followed_by_a1000() -> None:
    floor = Floor()
    floor.append(
        TicketIssued(
            at=wib(MONDAY, 8),
            ticket_id="old",
            number="A999",
            seq=999,
            queue_id="dukcapil",
            service_id="ktp-el",
            agency_id="dukcapil",
        )
    )
    assert floor.state.queues["dukcapil"].next_seq == 1000
    assert [floor.issue().number for _ in range(2)] == ["A1000", "A1001"]
    assert floor.issue("akta-kelahiran").number == "AK001"


def test_issuing_past_999_by_issuing() -> None:
    floor = Floor()
    numbers = [floor.issue("penggantian-paspor", now=wib(MONDAY, 8)).number for _ in range(1001)]
    assert numbers[0] == "B001"
    assert numbers[98:100] == ["B099", "B100"]
    assert numbers[998:] == ["B999", "B1000", "B1001"]
    assert len(set(numbers)) == 1001


def test_numbers_are_never_reused_after_cancel_or_service() -> None:
    floor = Floor()
    a1, a2 = floor.issue(), floor.issue()
    floor.run(cmd.cancel_ticket, ticket_id=a2.ticket_id)
    assert floor.issue().number == "A003"
    floor.call("loket-2")
    floor.serve("loket-2")
    assert floor.ticket(a1.ticket_id).status == "served"
    assert floor.issue().number == "A004"
    numbers = [t.number for t in floor.state.tickets.values()]
    assert numbers == ["A001", "A002", "A003", "A004"]


def test_lower_seq_applied_late_does_not_move_numbering_back() -> None:
    floor = Floor()
    for _ in range(5):
        floor.issue()
    floor.append(
        TicketIssued(
            at=wib(MONDAY, 9),
            ticket_id="late",
            number="A002",
            seq=2,
            queue_id="dukcapil",
            service_id="ktp-el",
            agency_id="dukcapil",
        )
    )
    assert floor.state.queues["dukcapil"].next_seq == 6


def test_service_day_is_decided_in_jakarta_time() -> None:
    mall = allday()
    before = datetime(2026, 11, 22, 16, 59, 59, tzinfo=UTC)  # 23:59:59 WIB, Sunday
    after = datetime(2026, 11, 22, 17, 0, 0, tzinfo=UTC)  # 00:00:00 WIB, Monday
    assert mall.service_day(before) == date(2026, 11, 22)
    assert mall.service_day(after) == date(2026, 11, 23)
    assert mall.service_day(after) != mall.service_day(before)
    # 00:00 UTC is 07:00 WIB: still Monday
    assert mall.service_day(datetime(2026, 11, 23, 0, 0, tzinfo=UTC)) == date(2026, 11, 23)
    assert mall.local(after).isoformat() == "2026-11-23T00:00:00+07:00"


def test_numbering_restarts_on_the_next_service_day() -> None:
    mall = allday()
    late = datetime(2026, 11, 22, 16, 59, 59, tzinfo=UTC)
    midnight = late + timedelta(seconds=1)
    day1 = Floor(mall, day=mall.service_day(late), start=late - timedelta(hours=1))
    assert [day1.issue(now=late).number for _ in range(3)] == ["A001", "A002", "A003"]

    day2 = Floor(mall, day=mall.service_day(midnight), start=midnight)
    assert day2.state.day == date(2026, 11, 23)
    assert day2.issue(now=midnight).number == "A001"
    assert day2.issue("akta-kelahiran", now=midnight).number == "AK001"
    assert day2.records[0].day == date(2026, 11, 23)
    assert day1.records[-1].day == date(2026, 11, 22)


def test_a_record_of_another_day_is_refused_by_the_fold() -> None:
    floor = Floor()
    event = cmd.issue_ticket(floor.state, service_id="ktp-el", ticket_id="x", now=wib(MONDAY, 8))[0]
    with pytest.raises(ValueError, match="2026-11-24"):
        st.apply(floor.state, Recorded(1, date(2026, 11, 24), event))  # type: ignore[arg-type]
    assert floor.state.tickets == {}


def test_times_are_stored_in_utc() -> None:
    floor = Floor()
    now = datetime(2026, 11, 23, 2, 30, tzinfo=UTC)  # 09:30 WIB
    event = floor.issue(now=now)
    assert event.at == now
    assert event.at.utcoffset() == timedelta(0)
    assert floor.ticket(event.ticket_id).issued_at.utcoffset() == timedelta(0)
    assert b'"at":"2026-11-23T02:30:00Z"' in encode_event(event)
    assert wib(MONDAY, 9, 30) == now
    assert wib(MONDAY, 9, 30).tzinfo is UTC
    assert floor.mall.local(now).tzinfo == WIB


@pytest.mark.parametrize(
    ("prefix", "seq", "expected"),
    [
        ("A", 1, "A001"),
        ("A", 17, "A017"),
        ("PB", 3, "PB003"),
        ("AK", 99, "AK099"),
        ("A", 100, "A100"),
        ("A", 999, "A999"),
        ("A", 1000, "A1000"),
        ("B", 12345, "B12345"),
    ],
)
def test_format_number(prefix: str, seq: int, expected: str) -> None:
    assert st.format_number(prefix, seq) == expected
