"""Personal data (PDP law 27/2022): a phone number only with consent, masked everywhere, never in the
journal, the logs, the floor feed or on a display; purged after the retention period."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import httpx
import websockets

from tests.support import ALLDAY, DISPLAY_TOKEN, KIOSK, ServerProcess, login

PHONE = "0812-3456-7890"
DIGITS = "81234567890"


def test_a_phone_number_needs_consent_and_a_valid_number(server: ServerProcess) -> None:
    client = httpx.Client(base_url=server.base_url, headers=KIOSK)
    r = client.post("/api/tickets", json={"service_id": "ktp-el", "phone": PHONE})
    assert r.status_code == 422 and "persetujuan" in r.json()["detail"]
    r = client.post("/api/tickets", json={"service_id": "ktp-el", "phone": "12345", "phone_consent": True})
    assert r.status_code == 422 and "tidak valid" in r.json()["detail"]
    assert "tickets" not in r.text
    r = client.post("/api/tickets", json={"service_id": "ktp-el", "phone": PHONE, "phone_consent": True})
    assert r.status_code == 201
    assert r.json()["phone_masked"] == "+62 812-****-890"
    assert r.json()["number"] == "A001", "refused requests took no number"


def test_the_number_is_never_in_the_journal_logs_feed_or_displays(server: ServerProcess) -> None:
    kiosk = httpx.Client(base_url=server.base_url, headers=KIOSK)
    ticket = kiosk.post("/api/tickets", json={"service_id": "ktp-el", "phone": PHONE, "phone_consent": True}).json()
    manager = login(httpx.Client(base_url=server.base_url), "manajer")
    spv = login(httpx.Client(base_url=server.base_url), "spv-dukcapil")
    called = spv.post("/api/counters/loket-1/call-next").json()
    assert called["number"] == ticket["number"]
    seen = [
        manager.get("/api/floor").text,
        manager.get("/api/counters/loket-1").text,
        httpx.get(f"{server.base_url}/display/tv-1").text,
        called and json.dumps(called),
    ]

    async def feed() -> str:
        async with websockets.connect(f"{server.ws_url}/ws/floor?token={DISPLAY_TOKEN}") as ws:
            return str(await asyncio.wait_for(ws.recv(), 5))

    seen.append(asyncio.run(feed()))
    for text in seen:
        assert DIGITS not in text and "812-****" not in text
    status = httpx.get(f"{server.base_url}/api/tickets/{ticket['id']}").json()
    assert status["phone_masked"] == "+62 812-****-890"  # the visitor's own page shows it, masked
    server.stop()
    assert DIGITS.encode() not in server.journal.read_bytes()
    for wal in server.journal.parent.glob(server.journal.name + "*"):
        assert DIGITS.encode() not in wal.read_bytes()
    assert DIGITS not in server.output()


def test_phone_numbers_are_purged_after_the_retention_period(tmp_path: Path) -> None:
    config = tmp_path / "mall.toml"
    # Three seconds of retention, written as days.
    config.write_text(ALLDAY.read_text().replace("[site.hours]", f"retention_days = {3 / 86400}\n\n[site.hours]", 1))
    server = ServerProcess(tmp_path / "journal.sqlite3", config=config).start()
    try:
        kiosk = httpx.Client(base_url=server.base_url, headers=KIOSK)
        ticket = kiosk.post("/api/tickets", json={"service_id": "ktp-el", "phone": PHONE, "phone_consent": True})
        url = f"{server.base_url}/api/tickets/{ticket.json()['id']}"
        assert httpx.get(url).json()["phone_masked"] == "+62 812-****-890"
        stored = list((tmp_path / "allday.stores" / "personal").iterdir())
        assert stored and any(DIGITS.encode() in f.read_bytes() for f in stored)
        time.sleep(4)
        assert httpx.get(url).json()["phone_masked"] is None
        assert not any(DIGITS.encode() in f.read_bytes() for f in (tmp_path / "allday.stores" / "personal").iterdir())
        assert httpx.get(url).json()["number"] == "A001", "the ticket itself is kept"
    finally:
        server.stop()
