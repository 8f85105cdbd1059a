"""`GET /api/alerts` on the real server: who may read it, and alerts firing and clearing."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from config.loader import load_mall
from server.journal.sqlite import SQLiteJournal
from tests.printers.fake_printer import FakePrinter
from tests.support import ALLDAY, DISPLAY_TOKEN, KIOSK, ServerProcess, login
from ticketing import commands as cmd
from ticketing import state as st
from ticketing.events import Event


def client(server: ServerProcess, username: str) -> httpx.Client:
    return login(httpx.Client(base_url=server.base_url, timeout=10), username)


def alerts_of(c: httpx.Client) -> list[dict[str, Any]]:
    r = c.get("/api/alerts")
    assert r.status_code == 200, r.text
    found: list[dict[str, Any]] = r.json()
    return found


def ids(found: list[dict[str, Any]]) -> list[str]:
    return [a["id"] for a in found]


def instant(raw: str) -> datetime:
    return datetime.fromisoformat(raw)


def test_alerts_are_for_managers_admins_and_supervisors(server: ServerProcess) -> None:
    assert httpx.get(f"{server.base_url}/api/alerts").status_code == 401
    display = {"Authorization": f"Bearer {DISPLAY_TOKEN}"}
    for device in (display, KIOSK):
        assert httpx.get(f"{server.base_url}/api/alerts", headers=device).status_code == 403
    clerk = client(server, "loket1")
    forbidden = clerk.get("/api/alerts")
    assert forbidden.status_code == 403 and "manager" in forbidden.json()["detail"]
    for username in ("manajer", "admin", "spv-dukcapil"):
        assert alerts_of(client(server, username)) == [], username


def test_quota_used_up_is_critical_and_only_its_agency_hears_of_it(server: ServerProcess) -> None:
    admin = client(server, "admin")
    manager, imigrasi, dukcapil = (client(server, u) for u in ("manajer", "spv-imigrasi", "spv-dukcapil"))
    for _ in range(4):
        r = admin.post("/api/tickets", json={"service_id": "paspor-baru"})
        assert r.status_code == 201, r.text
    assert alerts_of(manager) == []  # 1 of 5 left is 20%: no alert yet
    last = admin.post("/api/tickets", json={"service_id": "paspor-baru"})
    assert last.status_code == 201
    (alert,) = alerts_of(manager)
    assert {k: alert[k] for k in ("id", "kind", "severity", "subject_id", "agency_id")} == {
        "id": "quota_nearly_used:paspor-baru",
        "kind": "quota_nearly_used",
        "severity": "critical",
        "subject_id": "paspor-baru",
        "agency_id": "imigrasi",
    }
    assert alert["message"].startswith("Kuota Paspor Baru habis") and " / " in alert["message"]
    assert instant(alert["since"]) == instant(last.json()["issued_at"])  # the fifth ticket used it up
    assert alerts_of(imigrasi) == [alert] == alerts_of(admin)
    assert alerts_of(dukcapil) == []  # another agency's quota
    assert admin.post("/api/tickets", json={"service_id": "paspor-baru"}).status_code == 409


def seeded_journal(path: Path, moments: list[tuple[timedelta, Callable[..., list[Event]], dict[str, Any]]]) -> None:
    """Journal today's events as if they had happened `ago` before now: run each command on a state
    and append its events, so the server starts on a floor with a past."""
    mall = load_mall(ALLDAY)
    now = datetime.now(UTC)
    day = mall.service_day(now)
    state = st.new_day(mall, day)

    async def write() -> None:
        journal = SQLiteJournal(path, mall.id)
        await journal.start()
        try:
            for ago, command, kwargs in moments:
                events = command(state, now=now - ago, **kwargs)
                for record in await journal.append(day, events, state.last_event_id):
                    st.apply(state, record)
        finally:
            await journal.stop()

    asyncio.run(write())


def test_a_long_pause_and_an_idle_counter_fire_and_clear(tmp_path: Path) -> None:
    journal = tmp_path / "journal.sqlite3"
    minutes = timedelta(minutes=1)
    seeded_journal(
        journal,
        [
            (50 * minutes, cmd.open_counter, {"counter_id": "loket-1"}),
            (45 * minutes, cmd.pause_counter, {"counter_id": "loket-1", "reason": "istirahat"}),
            (20 * minutes, cmd.open_counter, {"counter_id": "loket-2"}),
            (10 * minutes, cmd.issue_ticket, {"service_id": "ktp-el", "ticket_id": "seeded-1"}),
        ],
    )
    server = ServerProcess(journal).start()
    try:
        admin, manager = client(server, "admin"), client(server, "manajer")
        found = alerts_of(manager)
        assert [(a["id"], a["severity"]) for a in found] == [
            ("counter_paused_long:loket-1", "warning"),  # paused 45 min: past 30, not yet 60
            ("counter_idle:loket-2", "warning"),  # open, and A001 has waited 10 min
        ]
        paused_since, arrival = instant(found[0]["since"]), instant(found[1]["since"])
        assert timedelta(minutes=45) <= datetime.now(UTC) - paused_since < timedelta(minutes=46)
        assert "istirahat" in found[0]["message"]
        # loket-2 goes on a break (an admin may): idle clears; a pause just begun is no alert.
        r = admin.post("/api/counters/loket-2/pause", json={"reason": "rapat"})
        assert r.status_code == 200, r.text
        assert ids(alerts_of(manager)) == ["counter_paused_long:loket-1"]
        # loket-1 reopens: its long pause clears, and it is now idle while A001 waits.
        assert admin.post("/api/counters/loket-1/open").status_code == 200
        (idle,) = alerts_of(manager)
        assert (idle["id"], idle["agency_id"]) == ("counter_idle:loket-1", "dukcapil")
        assert instant(idle["since"]) > arrival  # since it opened, after A001 arrived
        assert ids(alerts_of(client(server, "spv-dukcapil"))) == ["counter_idle:loket-1"]
        assert alerts_of(client(server, "spv-imigrasi")) == []
        # It calls A001: nothing left to say.
        assert admin.post("/api/counters/loket-1/call-next").status_code == 200
        assert alerts_of(manager) == []
    finally:
        server.stop()


def wait_for_alerts(c: httpx.Client, expected: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """The alerts once they are `expected` ((id, severity) pairs): the printer is polled every 0.2 s."""
    found: list[dict[str, Any]] = []
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        found = alerts_of(c)
        if [(a["id"], a["severity"]) for a in found] == expected:
            return found
        time.sleep(0.05)
    raise AssertionError(f"expected alerts {expected}, still {found}")


def test_a_printer_out_of_paper_reaches_every_supervisor_and_clears(tmp_path: Path) -> None:
    with FakePrinter() as printer:
        config = tmp_path / "mall.toml"
        text = ALLDAY.read_text().replace(
            'connection = "preview"\n', f'connection = "network"\nhost = "127.0.0.1"\nport = {printer.port}\n'
        )
        assert 'connection = "network"' in text
        config.write_text(text)
        server = ServerProcess(
            tmp_path / "journal.sqlite3", config=config, env={"ANTRIAN_PRINTER_POLL_SECONDS": "0.2"}
        ).start()
        try:
            manager = client(server, "manajer")
            wait_for_alerts(manager, [])
            printer.mode = "paper_out"
            (alert,) = wait_for_alerts(manager, [("printer_problem:printer-1", "critical")])
            assert (alert["kind"], alert["agency_id"], alert["subject_id"]) == ("printer_problem", None, "printer-1")
            assert alert["message"] == "Printer printer-1: kertas habis / Printer printer-1: out of paper"
            for supervisor in ("spv-dukcapil", "spv-imigrasi"):
                assert alerts_of(client(server, supervisor)) == [alert]
            assert datetime.now(UTC) - instant(alert["since"]) < timedelta(seconds=10)  # when it was journaled
            printer.mode = "paper_near_end"
            (near_end,) = wait_for_alerts(manager, [("printer_problem:printer-1", "warning")])
            assert "kertas hampir habis" in near_end["message"]
            assert near_end["since"] == alert["since"]  # the same problem, since it began
            printer.mode = "ok"
            wait_for_alerts(manager, [])
        finally:
            server.stop()
