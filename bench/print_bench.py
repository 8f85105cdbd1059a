"""`python -m bench.print_bench`: ticket rendering and printing over TCP. Prints figures; never passes or fails.

Render: `render_ticket` (python-escpos onto a Dummy printer) and `render_text`, each ticket with its own number
and status URL (as in real life: nothing is cached across tickets), per profile and paper width.
Print: rendered slips sent with python-escpos' `Network` to the fake printer (tests/printers/fake_printer.py) on
127.0.0.1 over real TCP, counted as done when the fake has received every byte: one connection per job, one
connection per job with a paper-status query first (DLE EOT 4, as a spooler would ask), and one kept-open
connection for all jobs.
"""

from __future__ import annotations

import statistics
import time

from escpos.printer import Network

from printers.layout import geometry, render_text, render_ticket
from printers.model import PrintableTicket, PrinterConfig
from tests.printers.fake_printer import FakePrinter

RENDERS = 500
JOBS_PER_CONNECTION = 300
JOBS_KEPT_OPEN = 1000
CASES = [("TM-T20II", 80), ("TM-T20II", 58), ("TM-T88V", 80), ("POS-5890", 58)]


def slip(i: int) -> PrintableTicket:
    return PrintableTicket(
        ticket_id=f"01JD5X7K3M{i:06d}",
        number=f"PB{i % 1000:03d}",
        mall_name="Mal Pelayanan Publik Kabupaten Banyuwangi",
        agency_name="Dinas Kependudukan dan Pencatatan Sipil",
        service_name="Kartu Keluarga – Perubahan Data",
        service_name_en="Family Card – Data Change",
        priority_label="PRIORITAS - Lansia" if i % 10 == 0 else None,
        people_ahead=i % 40,
        wait_text="± 15-25 menit",
        issued_at_text="Senin, 23/11/2026 08:05 WIB",
        status_url=f"https://antrian.banyuwangikab.go.id/t/01JD5X7K3M{i:06d}",
        footer="Simpan tiket ini. Pindai kode QR untuk melihat antrian.",
    )


def printer(profile: str, paper: int) -> PrinterConfig:
    return PrinterConfig(id="bench", connection="network", profile=profile, paper_mm=paper)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))]


def bench_render() -> None:
    for profile, paper in CASES:
        p = printer(profile, paper)
        render_ticket(slip(0), p)  # warm the profile and code page caches
        took: list[float] = []
        size = 0
        for i in range(1, RENDERS + 1):
            started = time.perf_counter()
            size = len(render_ticket(slip(i), p))
            took.append(time.perf_counter() - started)
        text_took: list[float] = []
        for i in range(1, RENDERS + 1):
            started = time.perf_counter()
            render_text(slip(i), p)
            text_took.append(time.perf_counter() - started)
        qr = "native QR" if geometry(p).native_qr else "raster QR"
        print(
            f"render: {profile} {paper} mm ({qr}, {size:,} bytes): render_ticket mean "
            f"{statistics.mean(took) * 1000:.2f} ms, p95 {percentile(took, 0.95) * 1000:.2f} ms; "
            f"render_text mean {statistics.mean(text_took) * 1000:.2f} ms ({RENDERS} renders)"
        )


def bench_print() -> None:
    for profile, paper in [("TM-T20II", 80), ("POS-5890", 58)]:
        data = render_ticket(slip(1), printer(profile, paper))
        label = f"{profile} {paper} mm slip, {len(data):,} bytes"
        with FakePrinter() as fake:
            started = time.perf_counter()
            for _ in range(JOBS_PER_CONNECTION):
                net = Network("127.0.0.1", fake.port, timeout=3)
                net._raw(data)
                net.close()
            fake.wait_for_jobs(JOBS_PER_CONNECTION, timeout=60)
            took = time.perf_counter() - started
            assert fake.received == data * JOBS_PER_CONNECTION
            print(f"print: {label}, one connection per job: {JOBS_PER_CONNECTION / took:,.0f} jobs/s")

        with FakePrinter() as fake:
            started = time.perf_counter()
            for _ in range(JOBS_PER_CONNECTION):
                net = Network("127.0.0.1", fake.port, timeout=3)
                status = net.paper_status()
                net._raw(data)
                net.close()
            fake.wait_for_jobs(JOBS_PER_CONNECTION, timeout=60)
            took = time.perf_counter() - started
            assert status == 2
            print(
                f"print: {label}, one connection per job, paper status asked first: "
                f"{JOBS_PER_CONNECTION / took:,.0f} jobs/s"
            )

        with FakePrinter() as fake:
            net = Network("127.0.0.1", fake.port, timeout=3)
            started = time.perf_counter()
            for _ in range(JOBS_KEPT_OPEN):
                net._raw(data)
            fake.wait_for_bytes(len(data) * JOBS_KEPT_OPEN, timeout=60)
            took = time.perf_counter() - started
            net.close()
            print(f"print: {label}, one kept-open connection: {JOBS_KEPT_OPEN / took:,.0f} jobs/s")


def main() -> None:
    bench_render()
    bench_print()


if __name__ == "__main__":
    main()
