"""The floor end to end: the real server process (uvicorn) on loopback, httpx and `websockets` clients."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets

from tests.support import DISPLAY_TOKEN, KIOSK, ServerProcess, alogin, demo_access_toml

COUNTERS = 10


def busy_mall_toml(counters: int) -> str:
    """One queue worked by many counters: the hardest case for 'never the same visitor twice'."""
    rows = "\n".join(
        f'[[counters]]\nid = "loket-{i}"\nlabel = "Loket {i}"\nagency = "dukcapil"\nqueues = ["dukcapil"]\n'
        for i in range(1, counters + 1)
    )
    days = "\n".join(f'{d} = ["00:00-24:00"]' for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun"))
    return f"""
[site]
id = "busy"
name = "MPP Ramai"
demo = true
kiosk_tickets_per_minute = 1000
[site.hours]
{days}
[[agencies]]
id = "dukcapil"
name = "Dukcapil"
prefix = "A"
[[services]]
id = "ktp-el"
agency = "dukcapil"
name = "Perekaman KTP-el"
{rows}
{demo_access_toml()}
"""


@pytest.fixture
def busy_server(tmp_path: Path) -> Iterator[ServerProcess]:
    config = tmp_path / "busy.toml"
    config.write_text(busy_mall_toml(COUNTERS))
    proc = ServerProcess(tmp_path / "busy.sqlite3", config=config).start()
    try:
        yield proc
    finally:
        proc.stop()


async def _collect(url: str, count: int, into: list[dict[str, Any]], limit_s: float = 60) -> None:
    async with websockets.connect(url) as ws:
        async with asyncio.timeout(limit_s):
            while len(into) < count:
                into.append(json.loads(await ws.recv()))


async def test_ten_counters_pressing_next_at_once_never_share_or_skip_a_visitor(busy_server: ServerProcess) -> None:
    total = 200
    async with (
        httpx.AsyncClient(base_url=busy_server.base_url, timeout=30, headers=KIOSK) as client,
        httpx.AsyncClient(base_url=busy_server.base_url, timeout=30) as staff,
    ):
        await alogin(staff, "admin")
        issued = [(await client.post("/api/tickets", json={"service_id": "ktp-el"})).json() for _ in range(total)]
        assert [t["number"] for t in issued] == [f"A{i:03d}" for i in range(1, total + 1)]
        first_id = (await staff.get("/api/floor")).json()["last_event_id"]

        # A live client on the feed while the counters race; it must see every call, in order.
        feed: list[dict[str, Any]] = []
        watcher = asyncio.create_task(
            _collect(
                f"{busy_server.ws_url}/ws/floor?token={DISPLAY_TOKEN}&since={first_id}", total * 3 + COUNTERS, feed
            )
        )
        await asyncio.sleep(0.2)

        called: dict[str, list[str]] = {}

        async def counter(cid: str) -> None:
            mine = called.setdefault(cid, [])
            while True:
                r = await staff.post(f"/api/counters/{cid}/call-next")
                if r.status_code == 204:
                    return
                assert r.status_code == 200, r.text
                mine.append(r.json()["number"])
                assert (await staff.post(f"/api/counters/{cid}/start")).status_code == 200
                assert (await staff.post(f"/api/counters/{cid}/finish")).status_code == 200

        await asyncio.gather(*(counter(f"loket-{i}") for i in range(1, COUNTERS + 1)))
        await asyncio.wait_for(watcher, 60)

    everyone = [n for numbers in called.values() for n in numbers]
    assert len(everyone) == total, "a ticket was skipped or called twice"
    assert sorted(everyone) == sorted(t["number"] for t in issued)
    assert sum(1 for numbers in called.values() if numbers) > 1, "only one counter ever got a visitor: no race happened"

    ids = [m["id"] for m in feed]
    assert ids == list(range(first_id + 1, first_id + len(feed) + 1)), "feed skipped or repeated an event"
    calls = [m for m in feed if m["type"] == "ticket_called"]
    assert sorted(m["number"] for m in calls) == sorted(everyone)
    # The feed's calls per counter are in the order each counter got them.
    for cid, numbers in called.items():
        assert [m["number"] for m in calls if m["counter_id"] == cid] == numbers
    assert all(m["counter_label"].startswith("Loket ") for m in calls)


async def test_reconnect_with_since_misses_nothing_and_repeats_nothing(server: ServerProcess) -> None:
    async with httpx.AsyncClient(base_url=server.base_url, timeout=30) as staff:
        await alogin(staff, "admin")

        async def issue(n: int) -> None:
            # Issued by staff, not the kiosk: a printed slip would add print events to count around.
            for _ in range(n):
                assert (await staff.post("/api/tickets", json={"service_id": "ktp-el"})).status_code == 201

        steady: list[dict[str, Any]] = []
        steady_task = asyncio.create_task(_collect(f"{server.ws_url}/ws/floor?token={DISPLAY_TOKEN}", 1 + 15, steady))

        seen: list[dict[str, Any]] = []
        async with websockets.connect(f"{server.ws_url}/ws/floor?token={DISPLAY_TOKEN}") as ws:
            snapshot = json.loads(await ws.recv())
            assert snapshot["type"] == "snapshot"
            last = snapshot["id"]
            await issue(5)
            for _ in range(5):
                seen.append(json.loads(await ws.recv()))
            last = seen[-1]["id"]
        await issue(6)  # while away
        async with websockets.connect(f"{server.ws_url}/ws/floor?token={DISPLAY_TOKEN}&since={last}") as ws:
            await issue(4)
            async with asyncio.timeout(10):
                while len(seen) < 15:
                    seen.append(json.loads(await ws.recv()))
            with pytest.raises(TimeoutError):
                async with asyncio.timeout(0.5):
                    await ws.recv()  # nothing more, nothing twice
        await asyncio.wait_for(steady_task, 10)

    assert [m["type"] for m in seen] == ["ticket_issued"] * 15
    assert [m["number"] for m in seen] == [f"A{i:03d}" for i in range(1, 16)]
    assert seen == steady[1:], "the reconnecting client saw something other than the one that stayed"


async def test_since_from_another_day_or_the_future_gets_a_snapshot(server: ServerProcess) -> None:
    async with (
        httpx.AsyncClient(base_url=server.base_url, timeout=30, headers=KIOSK) as client,
        httpx.AsyncClient(base_url=server.base_url, timeout=30) as staff,
    ):
        await alogin(staff, "admin")
        await client.post("/api/tickets", json={"service_id": "ktp-el"})
    for since in (0, 999_999):
        async with websockets.connect(f"{server.ws_url}/ws/floor?token={DISPLAY_TOKEN}&since={since}") as ws:
            first = json.loads(await ws.recv())
            assert first["type"] == "snapshot"
            assert first["floor"]["queues"][0]["next"] == ["A001"]


async def test_ticket_feed_follows_one_ticket(server: ServerProcess) -> None:
    async with (
        httpx.AsyncClient(base_url=server.base_url, timeout=30, headers=KIOSK) as client,
        httpx.AsyncClient(base_url=server.base_url, timeout=30) as staff,
    ):
        await alogin(staff, "admin")
        a = (await client.post("/api/tickets", json={"service_id": "ktp-el"})).json()
        b = (await client.post("/api/tickets", json={"service_id": "ktp-el"})).json()
        async with websockets.connect(f"{server.ws_url}/ws/tickets/{b['id']}") as ws:
            first = json.loads(await ws.recv())["ticket"]
            assert (first["number"], first["position"], first["people_ahead"]) == ("A002", 2, 1)
            await staff.post("/api/counters/loket-2/call-next")  # calls A001
            moved = json.loads(await asyncio.wait_for(ws.recv(), 5))["ticket"]
            assert moved["position"] == 1
            await staff.post("/api/counters/loket-2/finish")  # refused: not started, nothing changes
            await staff.post("/api/counters/loket-2/no-show")
            await staff.post("/api/counters/loket-2/call-next")  # calls A002
            while True:
                t = json.loads(await asyncio.wait_for(ws.recv(), 5))["ticket"]
                if t["status"] == "called":
                    break
            assert (t["counter_label"], t["position"]) == ("Loket 2", None)
        assert a["id"] != b["id"] and len(a["id"]) >= 16
        async with websockets.connect(f"{server.ws_url}/ws/tickets/not-a-ticket") as ws:
            assert json.loads(await ws.recv())["type"] == "error"
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await ws.recv()
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 4404


async def test_two_server_processes_on_one_redis_journal_never_share_a_visitor(tmp_path: Path, redis_url: str) -> None:
    config = tmp_path / "busy.toml"
    config.write_text(busy_mall_toml(COUNTERS))
    env = {"ANTRIAN_REDIS_URL": redis_url}
    servers = [ServerProcess(tmp_path / f"unused-{i}.sqlite3", config=config, env=env).start() for i in range(2)]
    try:
        total = 120
        clients = [httpx.AsyncClient(base_url=s.base_url, timeout=30, headers=KIOSK) for s in servers]
        staffs = [await alogin(httpx.AsyncClient(base_url=s.base_url, timeout=30), "admin") for s in servers]
        # Issue through both processes at once: numbering must stay unique.
        issued = await asyncio.gather(
            *(clients[i % 2].post("/api/tickets", json={"service_id": "ktp-el"}) for i in range(total))
        )
        numbers = sorted(r.json()["number"] for r in issued)
        assert numbers == [f"A{i:03d}" for i in range(1, total + 1)]
        await asyncio.sleep(0.3)  # let each process follow the other's appends
        first_id = (await staffs[0].get("/api/floor")).json()["last_event_id"]
        assert first_id == (await staffs[1].get("/api/floor")).json()["last_event_id"] == total

        feed: list[dict[str, Any]] = []
        watcher = asyncio.create_task(
            # Three events a visitor, and each counter's first call opens it: one more each.
            _collect(f"{servers[0].ws_url}/ws/floor?token={DISPLAY_TOKEN}&since={first_id}", total * 3 + COUNTERS, feed)
        )
        await asyncio.sleep(0.2)
        called: dict[str, list[str]] = {}

        async def counter(i: int) -> None:
            staff, cid = staffs[i % 2], f"loket-{i}"
            mine = called.setdefault(cid, [])
            while True:
                r = await staff.post(f"/api/counters/{cid}/call-next")
                if r.status_code == 204:
                    return
                assert r.status_code == 200, r.text
                mine.append(r.json()["number"])
                assert (await staff.post(f"/api/counters/{cid}/start")).status_code == 200, r.text
                assert (await staff.post(f"/api/counters/{cid}/finish")).status_code == 200

        await asyncio.gather(*(counter(i) for i in range(1, COUNTERS + 1)))
        await asyncio.wait_for(watcher, 60)
        for c in clients + staffs:
            await c.aclose()
    finally:
        for s in servers:
            s.stop()

    everyone = sorted(n for ns in called.values() for n in ns)
    assert everyone == numbers, "a visitor was called twice or skipped across the two processes"
    assert {cid for cid, ns in called.items() if ns} & {"loket-1", "loket-3"}  # odd counters: server 1
    assert {cid for cid, ns in called.items() if ns} & {"loket-2", "loket-4"}  # even counters: server 0
    # Server 0's feed shows every call, including those made through server 1, each once, in id order.
    assert [m["id"] for m in feed] == list(range(first_id + 1, first_id + total * 3 + COUNTERS + 1))
    assert sorted(m["number"] for m in feed if m["type"] == "ticket_called") == numbers
