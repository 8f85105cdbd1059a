"""Every bad input gets a 4xx with a message a person can act on; never a 500."""

from __future__ import annotations

import httpx
import pytest

from tests.support import ServerProcess, login


@pytest.fixture
def client(server: ServerProcess) -> httpx.Client:
    """An admin: allowed everything, so only the input decides the answer."""
    return login(httpx.Client(base_url=server.base_url, timeout=10), "admin")


def refused(r: httpx.Response, status: int, *words: str) -> None:
    assert r.status_code == status, r.text
    detail = r.json()["detail"]
    for word in words:
        assert word.lower() in detail.lower(), detail


def test_unknown_things_are_404(client: httpx.Client) -> None:
    refused(client.post("/api/tickets", json={"service_id": "nope"}), 404, "nope", "/api/catalog")
    refused(client.get("/api/tickets/not-a-ticket"), 404, "tiket tidak ditemukan")
    refused(client.post("/api/counters/loket-99/call-next"), 404, "loket-99")
    refused(client.post("/api/counters/loket-99/finish"), 404, "loket-99")
    refused(client.get("/api/counters/loket-99"), 404, "loket-99")
    refused(client.get("/api/catalog", params={"kiosk_id": "kiosk-99"}), 404, "kiosk-99")
    refused(client.post("/api/tickets", json={"service_id": "ktp-el", "kiosk_id": "kiosk-99"}), 404, "kiosk-99")
    ticket = client.post("/api/tickets", json={"service_id": "ktp-el"}).json()
    client.post("/api/counters/loket-1/call-next")
    refused(client.post("/api/counters/loket-1/transfer", json={"service_id": "nope"}), 404, "nope")
    refused(client.post("/api/counters/loket-2/call", json={"ticket_id": "nope"}), 404, "tiket")
    for page in ("/kiosk/nope", "/counter/nope", "/display/nope"):
        refused(client.get(page), 404, "nope")
    assert ticket["number"] == "A001"


def test_wrong_state_is_409(client: httpx.Client) -> None:
    refused(client.post("/api/counters/loket-1/finish"), 409, "no ticket", "call the next number")
    refused(client.post("/api/counters/loket-1/recall"), 409, "no ticket")
    client.post("/api/tickets", json={"service_id": "ktp-el"})
    client.post("/api/tickets", json={"service_id": "ktp-el"})
    assert client.post("/api/counters/loket-1/call-next").json()["number"] == "A001"
    refused(client.post("/api/counters/loket-1/finish"), 409, "never started", "start")
    refused(client.post("/api/counters/loket-1/call-next"), 409, "A001", "finish")
    refused(client.post("/api/counters/loket-1/pause", json={"reason": "istirahat"}), 409, "A001")
    refused(client.post("/api/counters/loket-1/close"), 409, "A001")
    assert client.post("/api/counters/loket-1/start").json()["status"] == "serving"
    refused(client.post("/api/counters/loket-1/start"), 409, "already started")
    refused(client.post("/api/counters/loket-1/no-show"), 409, "being served")
    a002 = client.get("/api/floor").json()["queues"][0]["next"]
    assert a002 == ["A002"]
    waiting = [t for t in client.get("/api/floor").json()["counters"] if t["id"] == "loket-3"]
    assert waiting[0]["ticket"] is None


def test_quota_refusal_says_so_and_the_catalog_shows_it_first(client: httpx.Client) -> None:
    for _ in range(5):  # paspor-baru has a daily quota of 5 in tests/allday.toml
        assert client.post("/api/tickets", json={"service_id": "paspor-baru"}).status_code == 201
    refused(client.post("/api/tickets", json={"service_id": "paspor-baru"}), 409, "kuota habis")
    service = next(
        s for a in client.get("/api/catalog").json()["agencies"] for s in a["services"] if s["id"] == "paspor-baru"
    )
    assert (service["quota_left"], service["available"], service["unavailable_reason"]) == (0, False, "kuota habis")


def test_malformed_requests_are_400_or_422(client: httpx.Client) -> None:
    refused(
        client.post("/api/tickets", content=b"{not json", headers={"content-type": "application/json"}), 400, "json"
    )
    refused(client.post("/api/tickets", json={"priority": "elderly"}), 400, "service_id")
    refused(client.post("/api/tickets", json={"service_id": 17}), 400, "service_id")
    refused(client.post("/api/tickets", json=["ktp-el"]), 400)
    refused(client.post("/api/tickets", json={"service_id": "ktp-el", "priority": "vip"}), 422, "elderly")
    refused(client.post("/api/tickets", json={"service_id": "ktp-el", "lang": "fr"}), 422, "'id' or 'en'")
    refused(client.post("/api/tickets", json={"service_id": "ktp-el", "kiosk_id": "kiosk-imigrasi"}), 422, "dukcapil")
    refused(client.post("/api/counters/loket-1/transfer", json={}), 400, "service_id")
    refused(client.post("/api/counters/loket-1/pause", json={"reason": "x" * 500}), 422, "too long")
    r = client.post("/api/tickets", content=b"x" * 200_000, headers={"content-type": "application/json"})
    assert r.status_code == 413, r.text


def test_nothing_waiting_is_204_not_an_error(client: httpx.Client) -> None:
    r = client.post("/api/counters/loket-3/call-next")
    assert r.status_code == 204 and r.content == b""
