"""issue_ticket refusals: unknown or bad input, a closed mall, a used-up quota."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from config.loader import parse_mall
from ticketing import commands as cmd
from ticketing import state as st
from ticketing.errors import Invalid, NotFound, Refusal, Unavailable

from .helpers import MONDAY, Floor, mini, mini_with, wib

FRIDAY = date(2026, 11, 27)
SUNDAY = date(2026, 11, 22)


def refusal(floor: Floor, now: datetime | None = None, **kwargs: object) -> Refusal:
    kwargs.setdefault("service_id", "ktp-el")
    kwargs.setdefault("ticket_id", "x")
    with pytest.raises(Refusal) as info:
        cmd.issue_ticket(floor.state, now=now or floor.tick(), **kwargs)  # type: ignore[arg-type]
    assert "x" not in floor.state.tickets
    return info.value


def test_unknown_service_is_not_found() -> None:
    err = refusal(Floor(), service_id="sim-keliling")
    assert type(err) is NotFound
    assert err.code == "not_found"
    assert "sim-keliling" in err.message


@pytest.mark.parametrize("priority", ["vip", "", "ELDERLY"])
def test_unknown_priority_is_invalid(priority: str) -> None:
    err = refusal(Floor(), priority=priority)
    assert type(err) is Invalid
    assert err.code == "invalid"
    assert "elderly, disabled, pregnant_or_child" in err.message


@pytest.mark.parametrize("priority", ["elderly", "disabled", "pregnant_or_child"])
def test_each_priority_class_is_accepted(priority: str) -> None:
    assert Floor().issue(priority=priority).priority == priority


@pytest.mark.parametrize("lang", ["jv", "", "ID"])
def test_unknown_language_is_invalid(lang: str) -> None:
    err = refusal(Floor(), lang=lang)
    assert type(err) is Invalid
    assert "'id' or 'en'" in err.message


def test_unknown_kiosk_is_not_found() -> None:
    err = refusal(Floor(), kiosk_id="kiosk-9")
    assert type(err) is NotFound
    assert "kiosk-9" in err.message


def test_kiosk_that_does_not_offer_the_agency_is_invalid() -> None:
    floor = Floor()
    err = refusal(floor, kiosk_id="kiosk-imigrasi", service_id="ktp-el")
    assert type(err) is Invalid
    assert "Dukcapil" in err.message
    assert floor.issue("paspor-baru", kiosk_id="kiosk-imigrasi").number == "B001"
    assert floor.issue("ktp-el", kiosk_id="kiosk-1").kiosk_id == "kiosk-1"  # no agency list: every agency


def _closed(floor: Floor, now: datetime) -> None:
    err = refusal(floor, now=now)
    assert type(err) is Unavailable
    assert err.code == "closed"
    assert err.kind == "unavailable"
    assert "Layanan tutup" in err.message
    assert floor.state.queues["dukcapil"].next_seq == 1


@pytest.mark.parametrize(
    "now",
    [
        wib(SUNDAY, 10),  # no hours on Sunday
        wib(MONDAY, 7, 29, 59),  # before opening
        wib(MONDAY, 12),  # the break starts at 12:00 (end exclusive)
        wib(MONDAY, 12, 30),
        wib(MONDAY, 12, 59),
        wib(MONDAY, 15, 30),  # closing time
        wib(MONDAY, 23, 59),
        wib(date(2026, 11, 24), 10),  # Tuesday: mini has no hours
        wib(FRIDAY, 11, 30),  # Friday prayer break
        wib(FRIDAY, 12, 30),
        wib(date(2026, 11, 28), 12),  # Saturday closes at 12:00
    ],
    ids=lambda d: d.astimezone(mini().site.tz).strftime("%a-%H:%M:%S"),
)
def test_closed_hours_are_refused(now: datetime) -> None:
    _closed(Floor(mini(), day=mini().service_day(now), start=now), now)


@pytest.mark.parametrize(
    "now",
    [
        wib(MONDAY, 7, 30),
        wib(MONDAY, 11, 59),
        wib(MONDAY, 13),
        wib(MONDAY, 15, 29),
        wib(FRIDAY, 11, 29),
        wib(FRIDAY, 13),
        wib(date(2026, 11, 28), 8),
    ],
    ids=lambda d: d.astimezone(mini().site.tz).strftime("%a-%H:%M"),
)
def test_open_hours_issue(now: datetime) -> None:
    floor = Floor(mini(), day=mini().service_day(now), start=now)
    assert floor.issue(now=now).number == "A001"


def test_friday_1230_wib_is_closed_though_0530_utc_looks_like_morning() -> None:
    now = datetime(2026, 11, 27, 5, 30, tzinfo=UTC)
    assert now == wib(FRIDAY, 12, 30)
    _closed(Floor(mini(), day=FRIDAY, start=now), now)


def test_closed_date_is_refused_even_in_office_hours() -> None:
    mall = mini_with(closed_dates=["2026-11-23"])
    assert mall.site.closed_dates == frozenset({MONDAY})
    _closed(Floor(mall), wib(MONDAY, 9))
    next_monday = date(2026, 11, 30)
    assert Floor(mall, day=next_monday).issue(now=wib(next_monday, 9)).number == "A001"


def test_closed_is_checked_after_the_request_itself() -> None:
    floor = Floor(mini(), day=SUNDAY)
    assert type(refusal(floor, now=wib(SUNDAY, 10), service_id="nope")) is NotFound
    assert type(refusal(floor, now=wib(SUNDAY, 10), priority="vip")) is Invalid


def test_quota_counts_down_then_kuota_habis() -> None:
    floor = Floor()  # allday: paspor-baru has daily_quota = 5
    assert st.quota_left(floor.state, "paspor-baru") == 5
    left = []
    for _ in range(5):
        floor.issue("paspor-baru")
        left.append(st.quota_left(floor.state, "paspor-baru"))
    assert left == [4, 3, 2, 1, 0]
    err = refusal(floor, service_id="paspor-baru")
    assert type(err) is Unavailable
    assert err.code == "quota"
    assert "Kuota habis" in err.message
    assert "Paspor Baru" in err.message
    assert floor.state.issued_per_service["paspor-baru"] == 5
    # the other service of the same queue has no quota and goes on numbering
    assert floor.issue("penggantian-paspor").number == "B006"
    assert st.quota_left(floor.state, "penggantian-paspor") is None
    assert st.quota_left(floor.state, "ktp-el") == 300


QUOTA3 = """
[site]
name = "MPP Kuota"
[site.hours]
mon = ["00:00-24:00"]
[[agencies]]
id = "samsat"
name = "Samsat"
prefix = "S"
[[services]]
id = "stnk"
agency = "samsat"
name = "Pengesahan STNK"
daily_quota = 3
[[counters]]
id = "loket-1"
label = "Loket 1"
agency = "samsat"
queues = ["samsat"]
"""


def test_quota_of_three_counts_cancelled_and_served_tickets() -> None:
    floor = Floor(parse_mall(QUOTA3))
    first = floor.issue("stnk")
    floor.run(cmd.cancel_ticket, ticket_id=first.ticket_id)
    floor.issue("stnk")
    floor.call("loket-1")
    floor.serve("loket-1")
    assert st.quota_left(floor.state, "stnk") == 1
    assert floor.issue("stnk").number == "S003"
    assert st.quota_left(floor.state, "stnk") == 0
    err = refusal(floor, service_id="stnk")
    assert (type(err), err.code) == (Unavailable, "quota")
    assert "Kuota habis" in err.message
    # a new day brings the quota back
    tomorrow = Floor(floor.mall, day=date(2026, 11, 30))
    assert st.quota_left(tomorrow.state, "stnk") == 3
    assert tomorrow.issue("stnk", now=wib(date(2026, 11, 30), 8)).number == "S001"
