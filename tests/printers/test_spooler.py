"""The print spooler end to end: the real server, a kiosk with a network printer, and a fake printer
that is a real TCP server. Every printer fault leaves the visitor with a number."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.printers.escpos_decode import decode, has_cut, lines, qr_payloads
from tests.printers.fake_printer import FakePrinter
from tests.support import ALLDAY, KIOSK, ServerProcess, login

TIMEOUT_S = 1.0


def mall_with_network_printer(tmp_path: Path, port: int) -> Path:
    text = ALLDAY.read_text().replace(
        '[[printers]]\nid = "printer-1"\nconnection = "preview"\npaper_mm = 80\n',
        f'[[printers]]\nid = "printer-1"\nconnection = "network"\nhost = "127.0.0.1"\nport = {port}\n'
        f'profile = "TM-T82"\npaper_mm = 80\ntimeout_s = {TIMEOUT_S}\n',
    )
    assert 'connection = "network"' in text
    text = text.replace("[site.hours]", "kiosk_tickets_per_minute = 1000\n\n[site.hours]", 1)
    path = tmp_path / "mall.toml"
    path.write_text(text)
    return path


@pytest.fixture
def printer() -> Iterator[FakePrinter]:
    with FakePrinter() as fake:
        yield fake


@pytest.fixture
def server(tmp_path: Path, printer: FakePrinter) -> Iterator[ServerProcess]:
    config = mall_with_network_printer(tmp_path, printer.port)
    proc = ServerProcess(tmp_path / "journal.sqlite3", config=config, env={"ANTRIAN_PRINTER_POLL_SECONDS": "0.3"})
    proc.start()
    yield proc
    proc.stop()


def wait_for_status(kiosk: httpx.Client, status: str) -> dict[str, Any]:
    """The kiosk's view once the status poll has seen the printer in `status`."""
    for _ in range(100):
        catalog: dict[str, Any] = kiosk.get("/api/catalog", params={"kiosk_id": "kiosk-1"}).json()
        if catalog["printer"]["status"] == status:
            return catalog
        time.sleep(0.05)
    raise AssertionError(f"the printer never showed {status}: {catalog['printer']}")


def slips(printer: FakePrinter) -> list[bytes]:
    """What was printed: connections that carried a slip (status polls carry only DLE EOT)."""
    return [job for job in printer.jobs() if has_cut(decode(job))]


def big_text(job: bytes) -> list[str]:
    return [line.text.strip() for line in lines(decode(job)) if line.width >= 2 and line.height >= 2]


def test_a_kiosk_ticket_prints_a_decodable_slip(server: ServerProcess, printer: FakePrinter) -> None:
    kiosk = httpx.Client(base_url=server.base_url, headers=KIOSK, timeout=10)
    ticket = kiosk.post("/api/tickets", json={"service_id": "ktp-el", "priority": "elderly"}).json()
    assert (ticket["print_status"], ticket["print_error"]) == ("printed", "")
    [job] = slips(printer)
    ops = decode(job)
    assert "A001" in big_text(job), "the number in double size or more"
    text = "\n".join(line.text for line in lines(ops))
    assert "Perekaman KTP-el" in text and "Electronic ID card recording" in text
    assert "PRIORITAS" in text
    assert qr_payloads(ops) == [ticket["status_url"]]
    assert ticket["status_url"] == f"{server.base_url}/t/{ticket['id']}"
    assert has_cut(ops)


def test_a_silent_printer_fails_in_time_and_a_reprint_prints_once(server: ServerProcess, printer: FakePrinter) -> None:
    kiosk = httpx.Client(base_url=server.base_url, headers=KIOSK, timeout=10)
    printer.mode = "silent"
    r = kiosk.post("/api/tickets", json={"service_id": "ktp-el"})
    assert r.status_code == 201, "the ticket exists whatever the printer does"
    ticket = r.json()
    assert ticket["print_status"] == "failed" and "printer-1 did not" in ticket["print_error"]
    assert r.elapsed.total_seconds() < TIMEOUT_S + 1.5
    assert httpx.get(f"{server.base_url}/api/tickets/{ticket['id']}").json()["number"] == "A001"

    # The failure marked the printer offline; the next status poll finds it back.
    printer.mode = "ok"
    assert kiosk.post(f"/api/tickets/{ticket['id']}/reprint").json()["code"] == "printer_down"
    wait_for_status(kiosk, "ok")
    printer.clear()
    again = kiosk.post(f"/api/tickets/{ticket['id']}/reprint").json()
    assert again["print_status"] == "printed"
    [job] = slips(printer)
    assert "A001" in big_text(job)
    assert any("CETAK ULANG" in line.text for line in lines(decode(job))), "a reprint says so"
    # Another kiosk may not reprint it; its agency's supervisor may.
    other = httpx.Client(base_url=server.base_url, headers={"Authorization": "Bearer demo-kiosk-kiosk-imigrasi"})
    assert other.post(f"/api/tickets/{ticket['id']}/reprint").status_code == 403
    spv = login(httpx.Client(base_url=server.base_url, timeout=10), "spv-dukcapil")
    assert spv.post(f"/api/tickets/{ticket['id']}/reprint").json()["print_status"] == "printed"
    assert len(slips(printer)) == 2


def test_fifty_tickets_in_a_burst_print_in_order_none_twice(server: ServerProcess, printer: FakePrinter) -> None:
    async def burst() -> list[str]:
        async with httpx.AsyncClient(base_url=server.base_url, headers=KIOSK, timeout=30) as kiosk:
            answers = await asyncio.gather(
                *(kiosk.post("/api/tickets", json={"service_id": "ktp-el"}) for _ in range(50))
            )
        return [a.json()["number"] for a in answers]

    numbers = asyncio.run(burst())
    assert sorted(numbers) == [f"A{i:03d}" for i in range(1, 51)]
    printer.wait_for_jobs(50, timeout=20)
    printed = [big_text(job)[0] for job in slips(printer)]
    assert printed == [f"A{i:03d}" for i in range(1, 51)], "in issue order, each once"


def test_paper_out_is_seen_before_the_visitor_chooses(server: ServerProcess, printer: FakePrinter) -> None:
    kiosk = httpx.Client(base_url=server.base_url, headers=KIOSK, timeout=10)
    printer.mode = "paper_out"
    catalog = wait_for_status(kiosk, "paper_out")
    assert catalog["printer"] == {"id": "printer-1", "status": "paper_out", "usable": False}
    before = len(slips(printer))
    ticket = kiosk.post("/api/tickets", json={"service_id": "ktp-el"}).json()
    assert ticket["print_status"] == "none", "shown on screen, not sent to an empty printer"
    assert len(slips(printer)) == before
    staff = login(httpx.Client(base_url=server.base_url), "manajer")
    [view] = staff.get("/api/printers").json()
    assert (view["status"], view["usable"], view["kiosks"]) == ("paper_out", False, ["kiosk-1"])
    printer.mode = "ok"


def test_an_unreachable_printer_never_stops_the_server(tmp_path: Path) -> None:
    with FakePrinter(mode="down") as printer:
        config = mall_with_network_printer(tmp_path, printer.port)
        proc = ServerProcess(tmp_path / "j.sqlite3", config=config, env={"ANTRIAN_PRINTER_POLL_SECONDS": "0.3"})
        proc.start()
        try:
            kiosk = httpx.Client(base_url=proc.base_url, headers=KIOSK, timeout=10)
            ticket = kiosk.post("/api/tickets", json={"service_id": "ktp-el"})
            assert ticket.status_code == 201
            assert ticket.json()["print_status"] in ("failed", "none")
            assert ticket.json()["number"] == "A001"
        finally:
            proc.stop()


def test_the_slip_reads_as_text_for_the_kiosk_screen(server: ServerProcess, printer: FakePrinter) -> None:
    kiosk = httpx.Client(base_url=server.base_url, headers=KIOSK, timeout=10)
    ticket = kiosk.post("/api/tickets", json={"service_id": "akta-kelahiran"}).json()
    slip = httpx.get(f"{server.base_url}/api/tickets/{ticket['id']}/slip").json()
    assert (slip["printer_id"], slip["paper_mm"]) == ("printer-1", 80)
    assert "AK001" in slip["text"] and "Akta Kelahiran" in slip["text"] and "Birth certificate" in slip["text"]
    assert httpx.get(f"{server.base_url}/api/tickets/nope/slip").status_code == 404
