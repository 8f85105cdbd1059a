"""The pages in a real headless Chromium against a real server: kiosk -> counter -> display -> status."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.browser import ARTIFACTS, chromium
from tests.support import DEMO_PASSWORD, DISPLAY_TOKEN, KIOSK, ServerProcess, login

pytestmark = pytest.mark.browser


from playwright.sync_api import Browser, BrowserContext, Page, expect  # noqa: E402


@pytest.fixture
def browser() -> Iterator[Browser]:
    with chromium() as b:
        yield b


def _watch(page: Page, problems: list[str]) -> None:
    page.on("pageerror", lambda exc: problems.append(f"{page.url}: {exc}"))


def _shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"e2e-{name}.png"))


def _waiting(server: ServerProcess) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {DISPLAY_TOKEN}"}
    floor = httpx.get(f"{server.base_url}/api/floor", headers=headers, timeout=5).json()
    return {q["id"]: q["waiting"] for q in floor["queues"]}


def _staff_context(browser: Browser, base: str, username: str) -> BrowserContext:
    """A browser context logged in as a member of staff (the session cookie), as after the login page."""
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    r = context.request.post(f"{base}/api/login", data={"username": username, "password": DEMO_PASSWORD})
    assert r.ok, r.text()
    return context


def test_kiosk_counter_display_and_status(server: ServerProcess, browser: Browser) -> None:
    base = server.base_url
    problems: list[str] = []
    screen = browser.new_context(viewport={"width": 1920, "height": 1080})

    display = screen.new_page()
    _watch(display, problems)
    display.goto(f"{base}/display/tv-1#token={DISPLAY_TOKEN}")  # the display's device token, as installed
    expect(display.get_by_test_id("connection-status")).to_have_attribute("data-status", "open")

    counter = _staff_context(browser, base, "loket1").new_page()
    _watch(counter, problems)
    counter.goto(f"{base}/counter/loket-1")
    expect(counter.get_by_test_id("live-status")).to_have_attribute("data-status", "open")
    expect(counter.get_by_test_id("btn-call-next")).to_be_enabled()

    kiosk = screen.new_page()
    _watch(kiosk, problems)
    kiosk.goto(f"{base}/kiosk/kiosk-1#token={KIOSK['Authorization'].split()[1]}")
    expect(kiosk.get_by_test_id("kiosk-setup")).to_be_hidden()
    kiosk.get_by_test_id("agency-dukcapil").click()
    kiosk.get_by_test_id("service-ktp-el").click()
    kiosk.get_by_test_id("priority-none").dblclick()  # an impatient double tap
    expect(kiosk.get_by_test_id("ticket-number")).to_have_text("A001")
    qr = kiosk.get_by_test_id("ticket-qr").get_attribute("src") or ""
    assert qr.startswith("/t/") and qr.endswith("/qr.svg"), qr
    _shot(kiosk, "kiosk-ticket")
    kiosk.wait_for_timeout(300)  # a second ticket, if any, would have been issued by now
    waiting = _waiting(server)
    assert waiting["dukcapil"] == 1, waiting
    assert sum(waiting.values()) == 1, f"the double tap issued more than one ticket: {waiting}"
    status_path = kiosk.get_by_test_id("ticket-link").get_attribute("href")
    assert status_path and status_path.startswith("/t/")

    counter.get_by_test_id("btn-call-next").click()
    expect(counter.get_by_test_id("current-number")).to_have_text("A001")
    expect(counter.get_by_test_id("btn-start")).to_be_enabled()
    _shot(counter, "counter-called")

    expect(display.get_by_test_id("current-number")).to_have_text("A001", timeout=2000)
    expect(display.get_by_test_id("current-counter")).to_have_text("Loket 1")
    expect(display.get_by_test_id("recent-calls")).to_contain_text("A001")
    display.wait_for_timeout(300)
    announcements = display.evaluate("window.antrianAnnouncements")
    assert len(announcements) == 1, announcements
    assert announcements[0]["number"] == "A001"
    assert announcements[0]["counter"] == "Loket 1"
    _shot(display, "display-called")

    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    status = phone.new_page()
    _watch(status, problems)
    status.goto(f"{base}{status_path}")
    expect(status.get_by_test_id("called-screen")).to_be_visible()
    expect(status.get_by_test_id("called-counter")).to_have_text("Loket 1")
    expect(status.get_by_test_id("ticket-status")).to_contain_text("Loket 1")
    expect(status.get_by_test_id("ticket-number")).to_have_text("A001")
    _shot(status, "status-called")

    # A reload (the token now comes from the page's storage) shows the call again but never announces it.
    display.goto(f"{base}/display/tv-1")
    expect(display.get_by_test_id("current-number")).to_have_text("A001")
    display.wait_for_timeout(300)
    assert display.evaluate("window.antrianAnnouncements.length") == 0

    assert not problems, problems


def test_status_page_follows_the_queue_live(server: ServerProcess, browser: Browser) -> None:
    base = server.base_url
    problems: list[str] = []
    first = httpx.post(f"{base}/api/tickets", json={"service_id": "ktp-el"}, headers=KIOSK, timeout=5).json()
    second = httpx.post(f"{base}/api/tickets", json={"service_id": "ktp-el"}, headers=KIOSK, timeout=5).json()
    assert (first["number"], second["number"]) == ("A001", "A002")

    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    status = phone.new_page()
    _watch(status, problems)
    status.goto(f"{base}/t/{second['id']}")
    expect(status.get_by_test_id("ticket-number")).to_have_text("A002")
    expect(status.get_by_test_id("ticket-position")).to_have_text("2")
    expect(status.get_by_test_id("live-status")).to_have_attribute("data-status", "open")
    _shot(status, "status-waiting")

    with httpx.Client(base_url=base, timeout=5) as staff:
        login(staff, "loket1")
        assert staff.post("/api/counters/loket-1/call-next").json()["number"] == "A001"
    expect(status.get_by_test_id("ticket-position")).to_have_text("1", timeout=3000)
    expect(status.get_by_test_id("ticket-ahead")).to_have_text("0")

    with httpx.Client(base_url=base, timeout=5) as staff:
        login(staff, "loket2")
        assert staff.post("/api/counters/loket-2/call-next").json()["number"] == "A002"
    expect(status.get_by_test_id("called-screen")).to_be_visible(timeout=3000)
    expect(status.get_by_test_id("called-counter")).to_have_text("Loket 2")
    expect(status.get_by_test_id("btn-cancel")).to_be_hidden()

    status.goto(f"{base}/t/no-such-ticket")
    expect(status.get_by_test_id("ticket-missing")).to_be_visible()
    assert not problems, problems
