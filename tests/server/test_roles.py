"""Every endpoint and socket, asked by every kind of caller: who is let through, who gets 401/403.

Allowed calls may still be refused by the floor's state (404, 409, 204...): here only the
boundary matters, so an allowed call is one that is neither 401 nor 403.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import websockets

from tests.support import DISPLAY_TOKEN, KIOSK, ServerProcess, login

ANON, KIOSK1, KIOSK_IMI, DISPLAY, REVOKED, BOGUS = (
    "anonymous",
    "kiosk-1",
    "kiosk-imigrasi",
    "display",
    "revoked",
    "bogus",
)
CLERK, SPV, SPV_IMI, MANAGER, ADMIN = "loket1", "spv-dukcapil", "spv-imigrasi", "manajer", "admin"
STAFF = (CLERK, SPV, SPV_IMI, MANAGER, ADMIN)
EVERYONE = (ANON, KIOSK1, KIOSK_IMI, DISPLAY, REVOKED, BOGUS, *STAFF)
TOKENS = {
    KIOSK1: "demo-kiosk-kiosk-1",
    KIOSK_IMI: "demo-kiosk-kiosk-imigrasi",
    DISPLAY: DISPLAY_TOKEN,
    REVOKED: "demo-display-tv-revoked",
    BOGUS: "not-a-token-anyone-was-given",
}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    proc = ServerProcess(tmp_path_factory.mktemp("roles") / "journal.sqlite3").start()
    yield proc
    proc.stop()


@pytest.fixture(scope="module")
def clients(server: ServerProcess) -> dict[str, httpx.Client]:
    out = {}
    for who in EVERYONE:
        client = httpx.Client(base_url=server.base_url, timeout=10)
        if who in TOKENS:
            client.headers["Authorization"] = f"Bearer {TOKENS[who]}"
        elif who in STAFF:
            login(client, who)
        out[who] = client
    return out


@pytest.fixture(scope="module")
def ticket_id(clients: dict[str, httpx.Client]) -> str:
    r = clients[KIOSK1].post("/api/tickets", json={"service_id": "ktp-el"})
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def status(clients: dict[str, httpx.Client], who: str, method: str, path: str, body: object = None) -> int:
    r = clients[who].request(method, path, json=body)
    if r.status_code in (401, 403):
        assert r.json()["detail"], "a refusal must say why"
    return r.status_code


def allowed(code: int) -> bool:
    return code not in (401, 403)


REFUSED_TOKENS = {REVOKED: 401, BOGUS: 401}

# (method, path, body, who may) for every counter endpoint on loket-1 (a Dukcapil counter worked by loket1).
COUNTER_ACTIONS = [
    ("POST", "/api/counters/loket-1/call-next", None),
    ("POST", "/api/counters/loket-1/recall", None),
    ("POST", "/api/counters/loket-1/start", None),
    ("POST", "/api/counters/loket-1/finish", None),
    ("POST", "/api/counters/loket-1/no-show", None),
    ("POST", "/api/counters/loket-1/transfer", {"service_id": "paspor-baru"}),
    ("POST", "/api/counters/loket-1/return", None),
    ("POST", "/api/counters/loket-1/open", None),
    ("POST", "/api/counters/loket-1/pause", {"reason": "istirahat"}),
    ("POST", "/api/counters/loket-1/close", None),
]


@pytest.mark.parametrize(("method", "path", "body"), COUNTER_ACTIONS)
def test_counter_actions_are_for_its_clerk_its_agency_supervisor_and_admin(
    clients: dict[str, httpx.Client], method: str, path: str, body: object
) -> None:
    for who in EVERYONE:
        code = status(clients, who, method, path, body)
        if who in (CLERK, SPV, ADMIN):
            assert allowed(code), f"{who} was refused {path}: {code}"
        elif who in (ANON, REVOKED, BOGUS):
            assert code == 401, f"{who} on {path}: {code}"
        else:  # kiosks, displays, another agency's supervisor, managers
            assert code == 403, f"{who} on {path}: {code}"


def test_a_clerk_cannot_touch_another_counter(clients: dict[str, httpx.Client]) -> None:
    for method, path, body in COUNTER_ACTIONS:
        other = path.replace("loket-1", "loket-2")
        assert status(clients, CLERK, method, other, body) == 403
    assert status(clients, CLERK, "GET", "/api/counters/loket-2") == 403
    assert status(clients, CLERK, "GET", "/api/counters/loket-1") == 200


def test_only_supervisors_call_a_specific_ticket(clients: dict[str, httpx.Client], ticket_id: str) -> None:
    body = {"ticket_id": ticket_id}
    assert status(clients, CLERK, "POST", "/api/counters/loket-1/call", body) == 403
    assert status(clients, SPV_IMI, "POST", "/api/counters/loket-1/call", body) == 403
    assert status(clients, MANAGER, "POST", "/api/counters/loket-1/call", body) == 403
    assert status(clients, KIOSK1, "POST", "/api/counters/loket-1/call", body) == 403
    assert status(clients, ANON, "POST", "/api/counters/loket-1/call", body) == 401
    assert allowed(status(clients, SPV, "POST", "/api/counters/loket-2/call", body))


def test_counter_view_is_for_who_may_act_and_managers(clients: dict[str, httpx.Client]) -> None:
    expected = {CLERK: 200, SPV: 200, ADMIN: 200, MANAGER: 200, SPV_IMI: 403, KIOSK1: 403, DISPLAY: 403, ANON: 401}
    for who, code in {**expected, **REFUSED_TOKENS}.items():
        assert status(clients, who, "GET", "/api/counters/loket-1") == code, who


def test_floor_is_for_staff_and_displays(clients: dict[str, httpx.Client]) -> None:
    expected = {DISPLAY: 200, KIOSK1: 403, KIOSK_IMI: 403, ANON: 401, **REFUSED_TOKENS}
    expected.update({who: 200 for who in STAFF})
    for who, code in expected.items():
        assert status(clients, who, "GET", "/api/floor") == code, who


def test_tickets_are_issued_by_kiosks_for_themselves_or_by_supervisors(clients: dict[str, httpx.Client]) -> None:
    body = {"service_id": "penggantian-paspor"}
    expected = {
        KIOSK_IMI: 201,
        SPV: 201,
        ADMIN: 201,
        CLERK: 403,
        MANAGER: 403,
        DISPLAY: 403,
        ANON: 401,
        **REFUSED_TOKENS,
    }
    for who, code in expected.items():
        assert status(clients, who, "POST", "/api/tickets", body) == code, who
    # A kiosk issuing in another kiosk's name.
    assert status(clients, KIOSK1, "POST", "/api/tickets", {**body, "kiosk_id": "kiosk-imigrasi"}) == 403
    mine = clients[KIOSK_IMI].post("/api/tickets", json=body).json()
    assert mine["number"].startswith("B")


def test_public_reads_need_no_login_but_only_reveal_one_ticket(
    clients: dict[str, httpx.Client], ticket_id: str
) -> None:
    assert status(clients, ANON, "GET", "/api/catalog") == 200
    assert status(clients, ANON, "GET", f"/api/tickets/{ticket_id}") == 200
    assert status(clients, ANON, "GET", "/api/tickets/A001") == 404, "the short number is never an id"
    assert len(ticket_id) >= 16  # 128 random bits, url-safe base64
    page = clients[ANON].get(f"/t/{ticket_id}")
    assert page.status_code == 200
    for who in (DISPLAY, KIOSK1, CLERK):
        assert status(clients, who, "GET", f"/api/tickets/{ticket_id}") == 200


def test_me_says_who_is_asking(clients: dict[str, httpx.Client]) -> None:
    assert clients[ANON].get("/api/me").json()["kind"] == "anonymous"
    assert clients[KIOSK1].get("/api/me").json()["id"] == "kiosk-1"
    clerk = clients[CLERK].get("/api/me").json()
    assert (clerk["kind"], clerk["role"], clerk["counter_ids"]) == ("staff", "counter", ["loket-1"])
    assert clients[REVOKED].get("/api/me").status_code == 401


async def _close_code(url: str) -> int:
    async with websockets.connect(url) as ws:
        with pytest.raises(websockets.ConnectionClosed) as closed:
            while True:
                await asyncio.wait_for(ws.recv(), 5)
    assert closed.value.rcvd is not None
    return closed.value.rcvd.code


def test_the_floor_socket_authorizes_on_connect(server: ServerProcess, clients: dict[str, httpx.Client]) -> None:
    base = f"{server.ws_url}/ws/floor"
    assert asyncio.run(_close_code(base)) == 4401
    assert asyncio.run(_close_code(f"{base}?token={TOKENS[BOGUS]}")) == 4401
    assert asyncio.run(_close_code(f"{base}?token={TOKENS[REVOKED]}")) == 4401
    assert asyncio.run(_close_code(f"{base}?token={TOKENS[KIOSK1]}")) == 4403

    async def first(url: str, **kw: object) -> dict[str, object]:
        async with websockets.connect(url, **kw) as ws:  # type: ignore[arg-type]
            return json.loads(await asyncio.wait_for(ws.recv(), 5))  # type: ignore[no-any-return]

    assert asyncio.run(first(f"{base}?token={DISPLAY_TOKEN}"))["type"] == "snapshot"
    cookie = "; ".join(f"{k}={v}" for k, v in clients[MANAGER].cookies.items())
    host = server.base_url.removeprefix("http://")
    manager_socket = first(base, additional_headers={"Cookie": cookie, "Origin": server.base_url, "Host": host})
    assert asyncio.run(manager_socket)["type"] == "snapshot"
    # A staff session used from another site's page is refused (cross-site websocket hijacking).
    foreign = websockets.connect(base, additional_headers={"Cookie": cookie, "Origin": "http://evil.example"})

    async def refused() -> int:
        async with foreign as ws:
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await asyncio.wait_for(ws.recv(), 5)
        assert closed.value.rcvd is not None
        return closed.value.rcvd.code

    assert asyncio.run(refused()) == 4403


def test_staff_changes_need_the_csrf_token(server: ServerProcess) -> None:
    client = login(httpx.Client(base_url=server.base_url), CLERK)
    del client.headers["X-CSRF-Token"]
    r = client.post("/api/counters/loket-1/open")
    assert r.status_code == 403 and "CSRF" in r.json()["detail"]
    client.headers["X-CSRF-Token"] = "forged"
    assert client.post("/api/counters/loket-1/open").status_code == 403
    assert client.get("/api/counters/loket-1").status_code == 200  # reads need none


def test_session_cookie_is_httponly_and_strict_and_logout_ends_it(server: ServerProcess) -> None:
    client = httpx.Client(base_url=server.base_url)
    r = client.post("/api/login", json={"username": CLERK, "password": "antrian-demo"})
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    assert "secure" not in cookie  # plain http on loopback; https deployments get Secure
    client.headers["X-CSRF-Token"] = r.json()["csrf_token"]
    assert client.get("/api/counters/loket-1").status_code == 200
    assert client.post("/api/logout").status_code == 200
    assert client.get("/api/counters/loket-1").status_code == 401


def test_repeated_wrong_passwords_lock_the_account(server: ServerProcess) -> None:
    client = httpx.Client(base_url=server.base_url)
    for _ in range(5):
        r = client.post("/api/login", json={"username": "loket3", "password": "guess"})
        assert r.status_code == 401 and "salah" in r.json()["detail"]
    locked = client.post("/api/login", json={"username": "loket3", "password": "antrian-demo"})
    assert locked.status_code == 429 and "Too many failed logins" in locked.json()["detail"]
    assert int(locked.headers["retry-after"]) > 0
    unknown = client.post("/api/login", json={"username": "nobody", "password": "x"})
    assert unknown.status_code == 401 and unknown.json()["detail"] == r.json()["detail"], "no user enumeration"


def test_pages_send_staff_to_login_and_keep_clerks_to_their_counter(server: ServerProcess) -> None:
    anon = httpx.Client(base_url=server.base_url)
    r = anon.get("/counter/loket-1")
    assert r.status_code in (302, 303) and r.headers["location"] == "/login?next=/counter/loket-1"
    assert anon.get("/login?next=//evil.example").status_code == 200
    assert 'data-next="/"' in anon.get("/login?next=//evil.example").text, "never redirect off-site after login"
    clerk = login(httpx.Client(base_url=server.base_url), CLERK)
    assert clerk.get("/counter/loket-1").status_code == 200
    assert clerk.get("/counter/loket-2").status_code == 403


def test_pages_carry_security_headers(server: ServerProcess) -> None:
    r = httpx.get(f"{server.base_url}/kiosk/kiosk-1")
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-eval" not in csp
    assert r.headers["x-frame-options"] == "DENY"
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "no-referrer"
    assert "<script>" not in r.text, "inline scripts would be blocked by the CSP"


def test_a_kiosk_is_rate_limited(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "j.sqlite3").start()
    try:
        client = httpx.Client(base_url=server.base_url, headers=KIOSK)
        codes = [client.post("/api/tickets", json={"service_id": "ktp-el"}).status_code for _ in range(21)]
        assert codes == [201] * 20 + [429]
        r = client.post("/api/tickets", json={"service_id": "ktp-el"})
        assert r.status_code == 429 and int(r.headers["retry-after"]) > 0 and "kiosk" in r.json()["detail"]
        # Another kiosk is not affected; a retried request (same Idempotency-Key) is not a new ticket.
        other = httpx.Client(base_url=server.base_url, headers={"Authorization": "Bearer demo-kiosk-kiosk-imigrasi"})
        assert other.post("/api/tickets", json={"service_id": "paspor-baru"}).status_code == 201
    finally:
        server.stop()


def test_a_planted_session_cookie_is_worthless_and_visitors_get_no_cookie(server: ServerProcess) -> None:
    planted = "A" * 43
    client = httpx.Client(base_url=server.base_url, cookies={"antrian_session": planted})
    r = client.post("/api/login", json={"username": CLERK, "password": "antrian-demo"})
    assert r.status_code == 200
    issued = r.cookies["antrian_session"]
    assert issued != planted and len(issued) == 43, "login must make a new session id (no fixation)"
    stranger = httpx.Client(base_url=server.base_url, cookies={"antrian_session": planted})
    assert stranger.get("/api/me").json()["kind"] == "anonymous"
    for path in ("/api/catalog", "/kiosk/kiosk-1", "/", "/api/health"):
        assert "set-cookie" not in httpx.get(f"{server.base_url}{path}").headers, path
