"""Idempotency-Key: a retried or double-tapped request has exactly one effect and the same answer."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx

from tests.support import KIOSK, ServerProcess, alogin


async def test_same_key_five_times_at_once_makes_one_ticket(server: ServerProcess) -> None:
    async with (
        httpx.AsyncClient(base_url=server.base_url, timeout=10, headers=KIOSK) as client,
        httpx.AsyncClient(base_url=server.base_url, timeout=10) as staff,
    ):
        await alogin(staff, "spv-dukcapil")
        headers = {"Idempotency-Key": "kiosk-tap-0001"}
        answers = await asyncio.gather(
            *(client.post("/api/tickets", json={"service_id": "ktp-el"}, headers=headers) for _ in range(5))
        )
        assert {r.status_code for r in answers} == {201}
        assert len({(r.json()["id"], r.json()["number"]) for r in answers}) == 1
        floor = (await staff.get("/api/floor")).json()
        assert {q["id"]: q["waiting"] for q in floor["queues"]}["dukcapil"] == 1
        # A new key is a new request.
        other = await client.post("/api/tickets", json={"service_id": "ktp-el"}, headers={"Idempotency-Key": "k2"})
        assert other.json()["number"] == "A002"


async def test_counter_action_retried_has_one_effect(server: ServerProcess) -> None:
    async with httpx.AsyncClient(base_url=server.base_url, timeout=10) as client:
        await alogin(client, "loket2")
        for _ in range(3):
            await client.post("/api/tickets", json={"service_id": "ktp-el"}, headers=KIOSK)
        headers = {"Idempotency-Key": "press-1"}
        first, again = await asyncio.gather(
            client.post("/api/counters/loket-2/call-next", headers=headers),
            client.post("/api/counters/loket-2/call-next", headers=headers),
        )
        assert first.json()["number"] == again.json()["number"] == "A001"
        recalls = [
            await client.post("/api/counters/loket-2/recall", headers={"Idempotency-Key": "recall-1"}) for _ in range(3)
        ]
        assert [r.json()["recalls"] for r in recalls] == [1, 1, 1]
        assert [q["next"] for q in (await client.get("/api/floor")).json()["queues"] if q["id"] == "dukcapil"] == [
            ["A002", "A003"]
        ]


async def test_a_key_reused_for_a_different_request_is_refused(server: ServerProcess) -> None:
    async with httpx.AsyncClient(base_url=server.base_url, timeout=10, headers=KIOSK) as client:
        headers = {"Idempotency-Key": "same"}
        assert (await client.post("/api/tickets", json={"service_id": "ktp-el"}, headers=headers)).status_code == 201
        r = await client.post("/api/tickets", json={"service_id": "akta-kelahiran"}, headers=headers)
        assert r.status_code == 422 and "different request" in r.json()["detail"]
        bad = await client.post("/api/tickets", json={"service_id": "ktp-el"}, headers={"Idempotency-Key": "x" * 300})
        assert bad.status_code == 422 and "Idempotency-Key" in bad.json()["detail"]


def test_the_key_survives_a_crash(tmp_path: Path) -> None:
    journal = tmp_path / "j.sqlite3"
    server = ServerProcess(journal).start()
    headers = {"Idempotency-Key": "before-the-power-cut", **KIOSK}
    try:
        first = httpx.post(f"{server.base_url}/api/tickets", json={"service_id": "ktp-el"}, headers=headers).json()
        server.kill()
    finally:
        server.stop()
    again = ServerProcess(journal).start()
    try:
        retry = httpx.post(f"{again.base_url}/api/tickets", json={"service_id": "ktp-el"}, headers=headers)
        assert retry.status_code == 201
        assert (retry.json()["id"], retry.json()["number"]) == (first["id"], "A001")
        assert (
            httpx.post(f"{again.base_url}/api/tickets", json={"service_id": "ktp-el"}, headers=KIOSK).json()["number"]
            == "A002"
        )
    finally:
        again.stop()
