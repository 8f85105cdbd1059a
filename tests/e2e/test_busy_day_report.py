"""A busy stretch of a day on the real server: the report must match the journal, read independently."""

from __future__ import annotations

import asyncio
import json
import random
import sqlite3
from collections import Counter
from pathlib import Path

import httpx

from tests.support import ServerProcess, alogin

SERVICES = ("ktp-el", "akta-kelahiran", "paspor-baru", "penggantian-paspor")


def journal_counts(path: Path) -> dict[str, Counter[str]]:
    """Counts straight from the SQLite journal, without the server's code."""
    counts: dict[str, Counter[str]] = {k: Counter() for k in ("issued", "served", "no_show", "cancelled", "out")}
    service_of: dict[str, str] = {}
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        for (body,) in db.execute("SELECT body FROM events ORDER BY id"):
            e = json.loads(body)
            kind = e["type"]
            if kind == "ticket_issued":
                service_of[e["ticket_id"]] = e["service_id"]
                counts["issued"][e["service_id"]] += 1
            elif kind == "ticket_transferred":
                counts["out"][e["from_service_id"]] += 1
                service_of[e["ticket_id"]] = e["service_id"]
            elif kind == "ticket_served":
                counts["served"][e["counter_id"]] += 1
            elif kind == "ticket_no_show":
                counts["no_show"][service_of[e["ticket_id"]]] += 1
            elif kind == "ticket_cancelled":
                counts["cancelled"][service_of[e["ticket_id"]]] += 1
    return counts


async def test_the_report_of_a_busy_stretch_matches_the_journal(tmp_path: Path) -> None:
    rng = random.Random(20261122)
    journal = tmp_path / "journal.sqlite3"
    server = ServerProcess(journal).start()
    try:
        async with (
            httpx.AsyncClient(base_url=server.base_url, timeout=30) as admin,
            httpx.AsyncClient(base_url=server.base_url, timeout=30) as manager,
        ):
            await alogin(admin, "admin")
            await alogin(manager, "manajer")
            tickets = []
            for _ in range(150):
                service = rng.choice(SERVICES[:2] + SERVICES[3:]) if rng.random() < 0.97 else "paspor-baru"
                r = await admin.post("/api/tickets", json={"service_id": service})
                if r.status_code == 201:
                    tickets.append(r.json()["id"])
            for ticket_id in rng.sample(tickets, 8):
                await admin.post(f"/api/tickets/{ticket_id}/cancel")

            async def counter(cid: str) -> None:
                for _ in range(60):
                    r = await admin.post(f"/api/counters/{cid}/call-next")
                    if r.status_code == 204:
                        return
                    roll = rng.random()
                    if roll < 0.1:
                        await admin.post(f"/api/counters/{cid}/no-show")
                        continue
                    if roll < 0.2:
                        await admin.post(f"/api/counters/{cid}/recall")
                    await admin.post(f"/api/counters/{cid}/start")
                    if roll > 0.93 and cid != "loket-3":
                        await admin.post(f"/api/counters/{cid}/transfer", json={"service_id": "penggantian-paspor"})
                    else:
                        await admin.post(f"/api/counters/{cid}/finish")

            await asyncio.gather(*(counter(c) for c in ("loket-1", "loket-2", "loket-3")))
            stats = (await manager.get("/api/stats")).json()
            alerts = await manager.get("/api/alerts")
            assert alerts.status_code == 200
    finally:
        server.stop()

    counts = journal_counts(journal)
    services = {r["id"]: r for r in stats["services"]}
    counters = {r["id"]: r for r in stats["counters"]}
    assert sum(counts["issued"].values()) == len(tickets) >= 140
    assert sum(counts["served"].values()) > 50, "the stretch was not busy"
    for s in SERVICES:
        assert services[s]["issued"] == counts["issued"][s], s
        assert services[s]["no_shows"] == counts["no_show"][s], s
        assert services[s]["cancelled"] == counts["cancelled"][s], s
        assert services[s]["transferred_out"] == counts["out"][s], s
    for c in ("loket-1", "loket-2", "loket-3"):
        assert counters[c]["served"] == counts["served"][c], c
    agencies = {r["id"]: r for r in stats["agencies"]}
    assert agencies["dukcapil"]["issued"] + agencies["imigrasi"]["issued"] == len(tickets)
