"""`python -m bench`: print figures. Nothing here passes or fails on time."""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from config.loader import DEMO_CONFIG, load_mall
from server.journal.sqlite import SQLiteJournal
from server.stats_api import stats_view
from tests.printers.fake_printer import FakePrinter
from tests.printers.test_spooler import mall_with_network_printer
from tests.support import KIOSK, ServerProcess, alogin
from ticketing import commands as cmd
from ticketing import state as st
from ticketing.events import Recorded
from ticketing.stats import day_stats

T0 = datetime(2026, 11, 23, 0, 30, tzinfo=UTC)  # 07:30 WIB


def simulated_day(tickets: int) -> tuple[list[Recorded], st.FloorState]:
    """A day of `tickets` visitors over the demo mall: issue, call, start, finish."""
    mall = load_mall(DEMO_CONFIG)
    day = mall.service_day(T0)
    state = st.new_day(mall, day)
    records: list[Recorded] = []
    services = list(mall.services)
    counters = list(mall.counters)

    def run(events: list[object]) -> None:
        for e in events:
            r = Recorded(state.last_event_id + 1, day, e)  # type: ignore[arg-type]
            st.apply(state, r)
            records.append(r)

    for i in range(tickets):
        now = T0 + timedelta(seconds=6 * i)
        run(cmd.issue_ticket(state, service_id=services[i % len(services)], ticket_id=f"t{i}", now=now))
        if i % 2:
            counter = counters[i % len(counters)]
            if state.counters[counter].ticket_id:
                run(cmd.start_service(state, counter_id=counter, now=now))
                run(cmd.finish(state, counter_id=counter, now=now))
            run(cmd.call_next(state, counter_id=counter, now=now))
    return records, state


def bench_domain() -> None:
    started = time.perf_counter()
    records, state = simulated_day(5000)
    build = time.perf_counter() - started
    mall, day = state.mall, state.day
    started = time.perf_counter()
    st.replay(mall, day, records)
    replay = time.perf_counter() - started
    print(f"domain: simulated day of 5000 tickets = {len(records)} events, decided+applied in {build:.2f}s")
    print(f"domain: replay of {len(records)} events {replay * 1000:.0f} ms ({len(records) / replay:,.0f} events/s)")
    started = time.perf_counter()
    report = stats_view(mall, day_stats(mall, records, T0 + timedelta(hours=10)), day)
    took = time.perf_counter() - started
    print(f"report: the day's statistics for 5000 tickets ({len(report.services)} services) in {took * 1000:.0f} ms")
    busiest = max(state.queues, key=lambda q: state.queues[q].waiting)
    n = 200
    started = time.perf_counter()
    for _ in range(n):
        st.positions(state, busiest)
    per = (time.perf_counter() - started) / n
    print(f"domain: positions of a queue with {state.queues[busiest].waiting} waiting: {per * 1e6:.0f} µs")


async def bench_journal() -> None:
    with tempfile.TemporaryDirectory() as d:
        j = SQLiteJournal(Path(d) / "j.sqlite3", "demo")
        await j.start()
        records, _ = simulated_day(300)
        lat = []
        last = 0
        for r in records[:500]:
            started = time.perf_counter()
            await j.append(r.day, [r.event], last)
            lat.append(time.perf_counter() - started)
            last += 1
        await j.stop()
    lat.sort()
    print(
        f"journal/sqlite: {len(lat)} durable appends (synchronous=FULL): "
        f"p50 {statistics.median(lat) * 1000:.2f} ms, p99 {lat[int(len(lat) * 0.99)] * 1000:.2f} ms"
    )


async def bench_http() -> None:
    with tempfile.TemporaryDirectory() as d:
        mall = load_mall(DEMO_CONFIG)
        service = next(s.id for s in mall.services.values() if s.daily_quota is None)
        server = ServerProcess(Path(d) / "j.sqlite3", config=DEMO_CONFIG).start()
        try:
            async with httpx.AsyncClient(base_url=server.base_url, timeout=30) as client:
                await alogin(client, "admin")  # staff issue without the kiosks' rate limit
                for concurrency in (1, 8):
                    total = 800
                    per_client = total // concurrency

                    async def issue(per: int = per_client) -> None:
                        for _ in range(per):
                            r = await client.post("/api/tickets", json={"service_id": service})
                            assert r.status_code == 201

                    started = time.perf_counter()
                    await asyncio.gather(*(issue() for _ in range(concurrency)))
                    took = time.perf_counter() - started
                    print(f"http: POST /api/tickets, {concurrency} client(s): {total / took:,.0f} tickets/s")
                started = time.perf_counter()
                for _ in range(50):
                    (await client.get("/api/catalog")).raise_for_status()
                took = (time.perf_counter() - started) / 50
                print(f"http: GET /api/catalog (demo mall, 190 services, 1600 waiting): {took * 1000:.1f} ms")
                started = time.perf_counter()
                (await client.get("/api/stats")).raise_for_status()
                (await client.get("/api/stats.csv", params={"by": "services"})).raise_for_status()
                took = time.perf_counter() - started
                print(f"http: today's report (1600 tickets) as JSON and CSV: {took * 1000:.0f} ms")
        finally:
            server.stop()


async def bench_spooler() -> None:
    """Slips per second through the whole path: issue, claim, render, send, confirm, journal the outcome."""
    with tempfile.TemporaryDirectory() as d, FakePrinter() as printer:
        config = mall_with_network_printer(Path(d), printer.port)
        server = ServerProcess(Path(d) / "j.sqlite3", config=config).start()
        try:
            async with httpx.AsyncClient(base_url=server.base_url, timeout=60, headers=KIOSK) as kiosk:
                total = 300
                started = time.perf_counter()
                answers = await asyncio.gather(
                    *(kiosk.post("/api/tickets", json={"service_id": "ktp-el"}) for _ in range(total))
                )
                took = time.perf_counter() - started
            printed = sum(a.json()["print_status"] == "printed" for a in answers)
            print(
                f"spooler: {total} kiosk tickets at once on one network printer: {printed} printed, "
                f"{total / took:,.0f} slips/s end to end (a real printer does 1-2 slips/s)"
            )
        finally:
            server.stop()


def main() -> None:
    bench_domain()
    asyncio.run(bench_journal())
    asyncio.run(bench_http())
    asyncio.run(bench_spooler())


if __name__ == "__main__":
    main()
