"""Each alert fires when its condition begins and clears when it ends, with exact ids, severities and `since`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec

from tests.ticketing.helpers import MONDAY, Floor, allday, wib
from ticketing import commands as cmd
from ticketing import state as st
from ticketing.alerts import Alert, AlertLimits, alerts, date_printer_alerts
from ticketing.catalog import Mall


def at(hh: int, mm: int, ss: int = 0) -> datetime:
    return wib(MONDAY, hh, mm, ss)


def with_service(mall: Mall, service_id: str, **changes: Any) -> Mall:
    services = dict(mall.services)
    services[service_id] = msgspec.structs.replace(services[service_id], **changes)
    return msgspec.structs.replace(mall, services=services)


def brief(found: list[Alert]) -> list[tuple[str, str, str, str | None, datetime]]:
    return [(a.id, a.kind, a.severity, a.agency_id, a.since) for a in found]


# --- a queue over its target -------------------------------------------------------


def test_queue_over_target_fires_turns_critical_and_clears_when_called() -> None:
    f = Floor()
    f.issue("ktp-el", now=at(8, 0))  # target 30 min
    f.issue("ktp-el", now=at(8, 20))
    assert alerts(f.state, at(8, 30)) == []  # exactly on target is not over it
    (warning,) = alerts(f.state, at(8, 30, 1))
    assert brief([warning]) == [("queue_over_target:dukcapil", "queue_over_target", "warning", "dukcapil", at(8, 30))]
    assert warning.subject_id == "dukcapil"
    assert warning.message == (
        "Antrian Dukcapil: tunggu terlama 30 menit, target 30 menit"
        " / Dukcapil queue: longest wait 30 min, target 30 min"
    )
    assert brief(alerts(f.state, at(9, 0))) == [
        ("queue_over_target:dukcapil", "queue_over_target", "warning", "dukcapil", at(8, 30))
    ]
    (critical,) = alerts(f.state, at(9, 0, 1))
    assert (critical.id, critical.severity, critical.since) == ("queue_over_target:dukcapil", "critical", at(8, 30))
    # The longest-waiting visitor is called: the next one (08:20) is over target from 08:50.
    f.call("loket-1", now=at(9, 1))
    (after,) = alerts(f.state, at(9, 1))
    assert (after.id, after.severity, after.since) == ("queue_over_target:dukcapil", "warning", at(8, 50))
    f.run(cmd.no_show, counter_id="loket-1", now=at(9, 2))
    f.call("loket-1", now=at(9, 3))
    assert alerts(f.state, at(9, 3)) == []


def test_queue_target_is_the_smallest_of_its_services() -> None:
    f = Floor(with_service(allday(), "penggantian-paspor", target_wait_minutes=15))
    f.issue("paspor-baru", now=at(8, 0))  # target 30, but the imigrasi queue also holds a 15-minute service
    assert alerts(f.state, at(8, 15)) == []
    (alert,) = alerts(f.state, at(8, 15, 1))
    assert (alert.id, alert.agency_id, alert.severity, alert.since) == (
        "queue_over_target:imigrasi",
        "imigrasi",
        "warning",
        at(8, 15),
    )
    assert alerts(f.state, at(8, 30, 1))[0].severity == "critical"


def test_queue_over_target_counts_the_priority_lane_and_clears_on_cancel() -> None:
    f = Floor()
    f.issue("akta-kelahiran", now=at(8, 0), priority="elderly", ticket_id="p1")
    f.issue("akta-kelahiran", now=at(8, 5))
    (alert,) = alerts(f.state, at(8, 31))
    assert (alert.id, alert.since) == ("queue_over_target:dukcapil-akta", at(8, 30))
    f.run(cmd.cancel_ticket, ticket_id="p1", now=at(8, 32))
    assert alerts(f.state, at(8, 34)) == []
    assert alerts(f.state, at(8, 36))[0].since == at(8, 35)


# --- a counter idle while its queue waits --------------------------------------------


def test_counter_idle_fires_after_the_grace_and_clears_when_it_calls() -> None:
    f = Floor()
    f.run(cmd.open_counter, counter_id="loket-2", now=at(8, 0))
    f.issue("ktp-el", now=at(8, 10))
    assert alerts(f.state, at(8, 13)) == []  # 3 minutes of grace
    (idle,) = alerts(f.state, at(8, 13, 1))
    assert brief([idle]) == [("counter_idle:loket-2", "counter_idle", "warning", "dukcapil", at(8, 10))]
    assert idle.subject_id == "loket-2"
    assert idle.message == "Loket 2 kosong, 1 orang menunggu / Loket 2 idle while 1 person waits"
    assert alerts(f.state, at(8, 14), AlertLimits(idle_grace_minutes=5)) == []
    f.call("loket-2", now=at(8, 15))
    assert alerts(f.state, at(8, 20)) == []


def test_counter_idle_since_the_later_of_opening_last_release_and_arrival() -> None:
    f = Floor()
    f.issue("ktp-el", now=at(8, 0))
    f.run(cmd.open_counter, counter_id="loket-2", now=at(8, 20))  # the visitor waited before it opened
    (idle,) = alerts(f.state, at(8, 21))
    assert (idle.id, idle.since) == ("counter_idle:loket-2", at(8, 20))
    f.call("loket-2", now=at(8, 22))
    f.run(cmd.start_service, counter_id="loket-2", now=at(8, 23))
    f.issue("ktp-el", now=at(8, 25))
    f.run(cmd.finish, counter_id="loket-2", now=at(8, 40))  # busy until 08:40 while 08:25 waits
    (idle,) = alerts(f.state, at(8, 41))
    assert (idle.id, idle.since) == ("counter_idle:loket-2", at(8, 40))
    f.run(cmd.pause_counter, counter_id="loket-2", now=at(8, 42))  # paused is not idle
    assert [a.kind for a in alerts(f.state, at(8, 43))] == []
    f.run(cmd.close_counter, counter_id="loket-2", now=at(8, 44))  # nor is closed
    assert alerts(f.state, at(8, 50)) == []


def test_counter_idle_only_for_its_own_queues() -> None:
    f = Floor()
    for counter in ("loket-1", "loket-2", "loket-3"):
        f.run(cmd.open_counter, counter_id=counter, now=at(8, 0))
    f.issue("akta-kelahiran", now=at(8, 5))  # served by loket-1 only
    assert brief(alerts(f.state, at(8, 10))) == [
        ("counter_idle:loket-1", "counter_idle", "warning", "dukcapil", at(8, 5))
    ]
    f.issue("paspor-baru", now=at(8, 6))
    assert [a.id for a in alerts(f.state, at(8, 10))] == ["counter_idle:loket-1", "counter_idle:loket-3"]


# --- a counter paused too long -----------------------------------------------------


def test_long_pause_fires_turns_critical_and_clears_on_reopening() -> None:
    f = Floor()
    f.run(cmd.open_counter, counter_id="loket-1", now=at(8, 0))
    f.run(cmd.pause_counter, counter_id="loket-1", reason="istirahat", now=at(8, 10))
    assert alerts(f.state, at(8, 40)) == []
    (pause,) = alerts(f.state, at(8, 40, 1))
    assert brief([pause]) == [("counter_paused_long:loket-1", "counter_paused_long", "warning", "dukcapil", at(8, 10))]
    assert pause.message == "Loket 1 dijeda 30 menit (istirahat) / Loket 1 paused for 30 min"
    assert alerts(f.state, at(9, 10))[0].severity == "warning"
    (critical,) = alerts(f.state, at(9, 10, 1))
    assert (critical.id, critical.severity, critical.since) == ("counter_paused_long:loket-1", "critical", at(8, 10))
    assert alerts(f.state, at(8, 50), AlertLimits(pause_minutes=45)) == []
    f.run(cmd.open_counter, counter_id="loket-1", now=at(9, 15))
    assert alerts(f.state, at(10, 0)) == []


# --- a printer in trouble ----------------------------------------------------------


def test_printer_problem_follows_the_printers_last_status() -> None:
    f = Floor()

    def status(value: str, now: datetime) -> list[Alert]:
        f.run(cmd.printer_status, printer_id="printer-1", status=value, detail="", now=now)
        return alerts(f.state, now)

    (near_end,) = status("paper_near_end", at(8, 0))
    assert brief([near_end]) == [("printer_problem:printer-1", "printer_problem", "warning", None, at(8, 0))]
    assert near_end.message == "Printer printer-1: kertas hampir habis / Printer printer-1: paper nearly out"
    (out,) = status("paper_out", at(8, 5))
    assert (out.id, out.severity, out.message) == (
        "printer_problem:printer-1",
        "critical",
        "Printer printer-1: kertas habis / Printer printer-1: out of paper",
    )
    assert status("ok", at(8, 10)) == []
    (offline,) = status("offline", at(8, 15))
    assert (offline.severity, offline.since) == ("critical", at(8, 15))  # the state keeps no time: since = now
    assert status("unknown", at(8, 20)) == []


def test_printer_alerts_are_dated_from_the_journal_when_the_problem_began() -> None:
    f = Floor()
    f.run(cmd.open_counter, counter_id="loket-1", now=at(7, 0))
    f.run(cmd.pause_counter, counter_id="loket-1", now=at(7, 15))  # critical from 08:15
    for status, minute in (("paper_near_end", 0), ("ok", 5), ("paper_near_end", 10), ("paper_out", 20)):
        f.run(cmd.printer_status, printer_id="printer-1", status=status, detail="", now=at(7, minute))
    found = alerts(f.state, at(8, 30))
    assert [(a.id, a.severity, a.since) for a in found] == [
        ("counter_paused_long:loket-1", "critical", at(7, 15)),
        ("printer_problem:printer-1", "critical", at(8, 30)),  # alone, the state has no time for it: now
    ]
    # The problem began at 07:10 (near end; out of paper since 07:20 is the same problem, worse).
    assert [(a.id, a.since) for a in date_printer_alerts(found, f.records)] == [
        ("printer_problem:printer-1", at(7, 10)),
        ("counter_paused_long:loket-1", at(7, 15)),
    ]
    assert date_printer_alerts(found[:1], f.records) == found[:1]


# --- a quota nearly used -----------------------------------------------------------


def test_quota_used_up_is_critical_from_the_last_ticket() -> None:
    f = Floor()
    for minute in range(4):
        f.issue("paspor-baru", now=at(8, minute))
    assert alerts(f.state, at(8, 10)) == []  # 1 of 5 left is 20%
    f.issue("paspor-baru", now=at(8, 4))
    found = [a for a in alerts(f.state, at(8, 10)) if a.kind == "quota_nearly_used"]
    assert brief(found) == [("quota_nearly_used:paspor-baru", "quota_nearly_used", "critical", "imigrasi", at(8, 4))]
    assert found[0].subject_id == "paspor-baru"
    assert found[0].message == "Kuota Paspor Baru habis (5) / New passport: daily quota used up (5)"
    # The quota is the day's: the next service day starts without the alert.
    assert alerts(st.new_day(f.mall, MONDAY.replace(day=24)), at(8, 10)) == []


def test_quota_warns_at_ten_percent_left_then_turns_critical() -> None:
    f = Floor(with_service(allday(), "ktp-el", daily_quota=20))
    for minute in range(17):
        f.issue("ktp-el", now=at(8, minute))
    assert alerts(f.state, at(8, 17)) == []  # 3 of 20 left: 15%
    f.issue("ktp-el", now=at(8, 17))  # 2 left: 10%
    (warning,) = alerts(f.state, at(8, 18))
    assert brief([warning]) == [("quota_nearly_used:ktp-el", "quota_nearly_used", "warning", "dukcapil", at(8, 17))]
    assert warning.message == (
        "Kuota Perekaman KTP-el tinggal 2 dari 20 / Electronic ID card recording: 2 of 20 left today"
    )
    assert alerts(f.state, at(8, 18), AlertLimits(quota_left_share=0.05)) == []
    f.issue("ktp-el", now=at(8, 18))
    f.issue("ktp-el", now=at(8, 19))
    (critical,) = alerts(f.state, at(8, 19))
    assert (critical.id, critical.severity, critical.since) == ("quota_nearly_used:ktp-el", "critical", at(8, 17))
    assert "habis" in critical.message


# --- order ---------------------------------------------------------------------------


def test_alerts_are_sorted_critical_first_then_oldest() -> None:
    f = Floor()
    f.run(cmd.open_counter, counter_id="loket-1", now=at(7, 0))
    f.run(cmd.pause_counter, counter_id="loket-1", now=at(7, 0))  # critical from 08:00, since 07:00
    f.run(cmd.open_counter, counter_id="loket-3", now=at(7, 30))
    f.issue("ktp-el", now=at(7, 40))  # over target since 08:10 (warning), nobody open to call it
    f.issue("paspor-baru", now=at(8, 0))  # loket-3 idle since 08:00 (warning)
    f.run(cmd.printer_status, printer_id="printer-1", status="offline", detail="", now=at(8, 15))
    assert [(a.id, a.severity) for a in alerts(f.state, at(8, 20))] == [
        ("counter_paused_long:loket-1", "critical"),
        ("printer_problem:printer-1", "critical"),
        ("counter_idle:loket-3", "warning"),
        ("queue_over_target:dukcapil", "warning"),
    ]


def test_every_message_is_indonesian_then_english() -> None:
    f = Floor()
    f.run(cmd.open_counter, counter_id="loket-3", now=at(7, 0))
    f.issue("ktp-el", now=at(7, 0))
    f.issue("paspor-baru", now=at(7, 0))
    f.run(cmd.printer_status, printer_id="printer-1", status="paper_out", detail="", now=at(7, 0))
    found = alerts(f.state, at(9, 0))
    assert {a.kind for a in found} == {"queue_over_target", "counter_idle", "printer_problem"}
    assert all(msg.count(" / ") == 1 for msg in (a.message for a in found))
