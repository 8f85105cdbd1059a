"""The fake network printer the printing tests rely on: it must behave like a real one on the wire."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Iterator

import pytest
from escpos.printer import Network

from printers.layout import render_ticket
from printers.model import PrintableTicket, PrinterConfig
from tests.printers.fake_printer import FakePrinter

# The answers, written out from the Epson ESC/POS reference (not imported from the fake, so this can fail):
# 0x12 = fixed bits 1 and 4; DLE EOT 1 bit 3 (0x08) offline; DLE EOT 2 bit 2 (0x04) cover open, bit 5 (0x20)
# stopped by paper end; DLE EOT 4 bits 2-3 (0x0C) near end, bits 5-6 (0x60) paper end.
ANSWERS = {
    "ok": {1: 0x12, 2: 0x12, 3: 0x12, 4: 0x12},
    "paper_near_end": {1: 0x12, 2: 0x12, 3: 0x12, 4: 0x1E},
    "paper_out": {1: 0x1A, 2: 0x32, 3: 0x12, 4: 0x7E},
    "offline": {1: 0x1A, 2: 0x16, 3: 0x12, 4: 0x12},
}


@pytest.fixture
def fake() -> Iterator[FakePrinter]:
    with FakePrinter() as printer:
        yield printer


def connect(printer: FakePrinter, timeout: float = 2.0) -> socket.socket:
    return socket.create_connection(printer.address, timeout=timeout)


def ticket() -> PrintableTicket:
    return PrintableTicket(
        ticket_id="t1",
        number="A017",
        mall_name="MPP Banyuwangi",
        agency_name="Dukcapil",
        service_name="KTP-el",
        service_name_en="Electronic ID card",
        priority_label=None,
        people_ahead=4,
        wait_text="± 10-20 menit",
        issued_at_text="Senin, 23/11/2026 08:05 WIB",
        status_url="https://antrian.example.go.id/t/t1",
        footer="Simpan tiket ini.",
    )


def test_records_bytes_per_connection_and_in_all(fake: FakePrinter) -> None:
    with connect(fake) as a:
        a.sendall(b"\x1b@first ")
        a.sendall(b"job\n")
    with connect(fake) as b:
        b.sendall(bytes(range(256)))
    assert fake.wait_for_jobs(2) == [b"\x1b@first job\n", bytes(range(256))]
    assert fake.received == b"\x1b@first job\n" + bytes(range(256))
    assert fake.connections == 2
    fake.clear()
    assert fake.received == b"" and fake.jobs() == []


def test_records_a_large_job_exactly(fake: FakePrinter) -> None:
    data = bytes(i * 7 % 256 for i in range(300_000))
    with connect(fake) as s:
        s.sendall(data)
    assert fake.wait_for_jobs(1) == [data]


@pytest.mark.parametrize("mode", sorted(ANSWERS))
def test_status_answers_per_mode(fake: FakePrinter, mode: str) -> None:
    fake.mode = mode
    with connect(fake) as s:
        for n in (1, 2, 3, 4):
            s.sendall(bytes([0x10, 0x04, n]))
            assert s.recv(16) == bytes([ANSWERS[mode][n]]), (mode, n)
    assert fake.status_queries == [1, 2, 3, 4]


def test_mode_change_applies_to_an_open_connection(fake: FakePrinter) -> None:
    with connect(fake) as s:
        s.sendall(b"\x10\x04\x04")
        assert s.recv(1) == b"\x12"
        fake.mode = "paper_out"
        s.sendall(b"\x10\x04\x04")
        assert s.recv(1) == b"\x7e"


def test_status_query_split_across_packets_and_inside_a_job(fake: FakePrinter) -> None:
    fake.mode = "paper_near_end"
    with connect(fake) as s:
        s.sendall(b"\x1b@text\x10")
        time.sleep(0.05)
        s.sendall(b"\x04")
        time.sleep(0.05)
        s.sendall(b"\x04more\x10\x04\x01\x10\x04\x09")  # n=9 is not a status: no answer
        answers = b""
        deadline = time.monotonic() + 2
        while len(answers) < 2 and time.monotonic() < deadline:
            answers += s.recv(16)
        assert answers == b"\x1e\x12"
        s.settimeout(0.2)
        with pytest.raises(TimeoutError):
            s.recv(16)
    assert fake.status_queries == [4, 1, 9]


def test_silent_accepts_and_records_but_never_answers(fake: FakePrinter) -> None:
    fake.mode = "silent"
    with connect(fake, timeout=0.3) as s:
        s.sendall(b"job\x10\x04\x01\x10\x04\x04")
        started = time.monotonic()
        with pytest.raises(TimeoutError):
            s.recv(16)
        assert time.monotonic() - started >= 0.25
    assert fake.wait_for_jobs(1) == [b"job\x10\x04\x01\x10\x04\x04"]
    assert fake.status_queries == [1, 4]


def test_down_refuses_connections_and_comes_back_on_the_same_port(fake: FakePrinter) -> None:
    port = fake.port
    open_conn = connect(fake)
    open_conn.sendall(b"before")
    fake.wait_for_bytes(6)
    fake.mode = "down"
    with pytest.raises(ConnectionRefusedError):
        connect(fake)
    with pytest.raises(ConnectionResetError):  # the open connection was reset, as by a power cut
        open_conn.sendall(b"x")
        open_conn.recv(1)
    open_conn.close()
    fake.mode = "ok"
    assert fake.port == port
    with connect(fake) as s:
        s.sendall(b"\x10\x04\x01")
        assert s.recv(1) == b"\x12"


def test_down_from_the_start() -> None:
    with FakePrinter(mode="down") as printer:
        assert printer.port > 0
        with pytest.raises(ConnectionRefusedError):
            connect(printer)
        printer.mode = "offline"
        with connect(printer) as s:
            s.sendall(b"\x10\x04\x02")
            assert s.recv(1) == b"\x16"


def test_bad_mode_is_refused(fake: FakePrinter) -> None:
    with pytest.raises(ValueError):
        fake.mode = "on_fire"


def test_stop_frees_the_port() -> None:
    printer = FakePrinter().start()
    port = printer.port
    printer.stop()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=1)


@pytest.mark.parametrize("paper", [58, 80])
def test_python_escpos_network_prints_a_rendered_ticket(fake: FakePrinter, paper: int) -> None:
    data = render_ticket(ticket(), PrinterConfig(id="p", connection="network", profile="TM-T82", paper_mm=paper))
    printer = Network("127.0.0.1", fake.port, timeout=1)
    printer._raw(data)
    printer.close()
    assert fake.wait_for_jobs(1) == [data]


@pytest.mark.parametrize(
    ("mode", "paper", "online"),
    [("ok", 2, True), ("paper_near_end", 1, True), ("paper_out", 0, False), ("offline", 2, False)],
)
def test_python_escpos_reads_our_status_bytes(fake: FakePrinter, mode: str, paper: int, online: bool) -> None:
    """python-escpos 3.1 decodes the fake's answers as the Epson layout says (an independent reading of it)."""
    fake.mode = mode
    printer = Network("127.0.0.1", fake.port, timeout=1)
    try:
        assert printer.paper_status() == paper
        assert printer.is_online() is online
    finally:
        printer.close()


def test_python_escpos_status_read_blocks_for_its_timeout_on_a_silent_printer(fake: FakePrinter) -> None:
    fake.mode = "silent"
    printer = Network("127.0.0.1", fake.port, timeout=0.3)
    started = time.monotonic()
    try:
        with pytest.raises(TimeoutError):
            printer.paper_status()
    finally:
        printer.close()
    assert 0.25 <= time.monotonic() - started < 2


async def test_usable_from_async_code(fake: FakePrinter) -> None:
    fake.mode = "paper_near_end"
    reader, writer = await asyncio.open_connection(*fake.address)
    writer.write(b"\x1b@async job\n\x10\x04\x04")
    await writer.drain()
    assert await asyncio.wait_for(reader.readexactly(1), 2) == b"\x1e"
    writer.close()
    await writer.wait_closed()
    async with asyncio.timeout(5):
        jobs = await fake.wait_for_jobs_async(1)
    assert jobs == [b"\x1b@async job\n\x10\x04\x04"]


async def test_async_connection_refused_when_down(fake: FakePrinter) -> None:
    fake.mode = "down"
    with pytest.raises(ConnectionRefusedError):
        await asyncio.open_connection(*fake.address)
