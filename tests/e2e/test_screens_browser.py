"""The four screens as people use them, in Debian's Chromium against the real server on loopback:
the kiosk in English with an impatient double tap, the counter console driven from the keyboard
(login, call, reload, transfer by search, pause with a reason, a server restart under it), the TV
display across a server restart, and the status page's "your turn" sound. Each screen is saved in
artifacts/ at the sizes a mall uses, for people to look at."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from tests.browser import ARTIFACTS, chromium
from tests.support import DISPLAY_TOKEN, KIOSK, ServerProcess, login

pytestmark = pytest.mark.browser

MIN_SCREENSHOT_BYTES = 20_000  # a blank or unstyled page compresses far below this
KIOSK_URL = "/kiosk/kiosk-1#token=" + KIOSK["Authorization"].split()[1]

from playwright.sync_api import Browser, Page, ViewportSize, expect  # noqa: E402

PORTRAIT: ViewportSize = {"width": 1080, "height": 1920}  # the kiosk, standing
LANDSCAPE: ViewportSize = {"width": 1920, "height": 1080}  # the kiosk lying down, a full-HD TV
TV_SMALL: ViewportSize = {"width": 1366, "height": 768}  # a cheap TV or a clerk's monitor
PHONE: ViewportSize = {"width": 390, "height": 844}


@pytest.fixture
def browser() -> Iterator[Browser]:
    with chromium() as b:
        yield b


@pytest.fixture
def strict_autoplay_browser() -> Iterator[Browser]:
    """Sound only after the page has been touched, as on a phone."""
    with chromium("--autoplay-policy=document-user-activation-required") as b:
        yield b


@pytest.fixture
def admin(server: ServerProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.base_url, timeout=10) as client:
        yield login(client, "admin")


def _watch(page: Page, problems: list[str]) -> Page:
    page.on("pageerror", lambda exc: problems.append(f"{page.url}: {exc}"))
    return page


def _shot(page: Page, name: str) -> None:
    """Save the screen as artifacts/screen-<name>-<w>x<h>.png and check it is a real picture."""
    size = page.viewport_size or {"width": 0, "height": 0}
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"screen-{name}-{size['width']}x{size['height']}.png"
    page.wait_for_timeout(150)  # let transitions settle
    page.screenshot(path=str(path))
    assert path.is_file(), path
    assert path.stat().st_size > MIN_SCREENSHOT_BYTES, f"{path} is only {path.stat().st_size} bytes"


def _issue(server: ServerProcess, service_id: str = "ktp-el", **extra: Any) -> dict[str, Any]:
    r = httpx.post(
        f"{server.base_url}/api/tickets", json={"service_id": service_id, **extra}, headers=KIOSK, timeout=10
    )
    assert r.status_code == 201, r.text
    return dict(r.json())


def _wait_until(page: Page, condition: Callable[[], bool], timeout: float = 5.0) -> None:
    """Wait for a condition on the Python side, without evaluating anything in the page."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        page.wait_for_timeout(50)


def _waiting(admin: httpx.Client) -> dict[str, int]:
    r = admin.get("/api/floor")
    assert r.status_code == 200, r.text
    return {q["id"]: q["waiting"] for q in r.json()["queues"]}


# --- a) the kiosk in English ----------------------------------------------------------------


def test_kiosk_in_english_issues_one_ticket_on_a_double_tap(
    server: ServerProcess, browser: Browser, admin: httpx.Client
) -> None:
    problems: list[str] = []
    kiosk = _watch(browser.new_context(viewport=PORTRAIT, has_touch=True).new_page(), problems)
    kiosk.goto(server.base_url + KIOSK_URL)
    expect(kiosk.get_by_test_id("kiosk-setup")).to_be_hidden()
    expect(kiosk.get_by_test_id("agency-dukcapil")).to_be_visible()
    _shot(kiosk, "kiosk-start-id")

    toggle = kiosk.get_by_test_id("lang-toggle")
    expect(toggle).to_have_text("English")
    toggle.click()
    expect(kiosk.locator("html")).to_have_attribute("lang", "en")
    expect(kiosk.locator("body")).to_have_class(re.compile(r"\blang-en\b"))
    expect(toggle).to_have_text("Bahasa Indonesia")
    expect(kiosk.get_by_test_id("screen-agencies")).to_contain_text("Choose an agency")
    _shot(kiosk, "kiosk-start-en")

    kiosk.get_by_test_id("agency-dukcapil").click()
    service = kiosk.get_by_test_id("service-ktp-el")
    expect(service).to_contain_text("Electronic ID card recording")
    service.click()
    elderly = kiosk.get_by_role("button", name=re.compile("Elderly"))
    expect(elderly).to_be_visible()
    _shot(kiosk, "kiosk-priority-en")
    elderly.dblclick()  # the impatient double tap

    expect(kiosk.get_by_test_id("ticket-number")).to_have_text("A001")
    kiosk.wait_for_timeout(400)  # a second ticket, if any, would have been issued by now
    waiting = _waiting(admin)
    assert waiting["dukcapil"] == 1, waiting
    assert sum(waiting.values()) == 1, f"the double tap issued more than one ticket: {waiting}"

    # The confirmation speaks English: English leads every two-language label, one-language facts are English only.
    expect(kiosk.locator(".ticket-label .t-en")).to_have_text("Your queue number")
    label_sizes = kiosk.evaluate(
        """() => ['.ticket-label .t-en', '.ticket-label .t-id'].map(
             s => parseFloat(getComputedStyle(document.querySelector(s)).fontSize))"""
    )
    assert label_sizes[0] > label_sizes[1], f"English should lead on the confirmation: {label_sizes}"
    assert re.fullmatch(r"\d+(-\d+)? min", kiosk.get_by_test_id("ticket-wait").inner_text().strip())
    expect(kiosk.get_by_test_id("ticket-done")).to_contain_text("Done")
    expect(kiosk.get_by_test_id("screen-ticket")).to_contain_text("Scan to follow your turn on your phone.")
    expect(kiosk.get_by_test_id("ticket-service")).to_contain_text("Perekaman KTP-el")
    _shot(kiosk, "kiosk-ticket-en")

    link = kiosk.get_by_test_id("ticket-link").get_attribute("href") or ""
    assert link.startswith("/t/"), link
    ticket = admin.get(f"/api/tickets/{link.removeprefix('/t/')}").json()
    assert (ticket["number"], ticket["priority"], ticket["service_id"]) == ("A001", "elderly", "ktp-el"), ticket

    kiosk.set_viewport_size(LANDSCAPE)
    expect(kiosk.get_by_test_id("ticket-number")).to_be_visible()
    _shot(kiosk, "kiosk-ticket-en")
    kiosk.get_by_test_id("ticket-done").click()
    expect(kiosk.get_by_test_id("agency-dukcapil")).to_be_visible()
    _shot(kiosk, "kiosk-start-en")
    assert not problems, problems


# --- b) the counter console -----------------------------------------------------------------


def test_counter_console_by_keyboard_survives_reload_and_a_server_restart(
    server: ServerProcess, browser: Browser, admin: httpx.Client
) -> None:
    problems: list[str] = []
    first = _issue(server)
    page = _watch(browser.new_context(viewport=TV_SMALL).new_page(), problems)

    # Logging in through the page, as a clerk does.
    page.goto(f"{server.base_url}/counter/loket-1")
    expect(page).to_have_url(re.compile(r"/login\?next=/counter/loket-1$"))
    page.get_by_test_id("login-username").fill("loket1")
    page.get_by_test_id("login-password").fill("antrian-demo")
    page.get_by_test_id("login-submit").click()
    expect(page).to_have_url(re.compile(r"/counter/loket-1$"))
    expect(page.get_by_test_id("live-status")).to_have_attribute("data-status", "open")
    expect(page.get_by_test_id("btn-call-next")).to_be_enabled()
    expect(page.get_by_test_id("queue-waiting-dukcapil")).to_have_text("1")
    expect(page.get_by_test_id("transfer-search")).to_be_disabled()  # nothing to transfer yet

    # Every action has a button and a documented shortcut.
    shortcuts = page.get_by_test_id("shortcuts")
    for action, key in [
        ("call-next", "N"),
        ("recall", "R"),
        ("start", "S"),
        ("finish", "F"),
        ("no-show", "X"),
        ("return", "K"),
        ("open", "O"),
        ("pause", "P"),
        ("close", "C"),
    ]:
        expect(page.get_by_test_id(f"btn-{action}").locator("kbd")).to_have_text(key)
        expect(shortcuts.locator("kbd", has_text=re.compile(f"^{key}$"))).to_have_count(1)
    expect(shortcuts).to_contain_text("T")
    expect(shortcuts).to_contain_text("Esc")

    page.keyboard.press("n")
    expect(page.get_by_test_id("current-number")).to_have_text(first["number"])
    expect(page.get_by_test_id("current-state")).to_have_text("Dipanggil")
    expect(page.get_by_test_id("counter-status")).to_have_attribute("data-status", "open")
    expect(page.get_by_test_id("current-timer")).to_contain_text("sejak dipanggil")
    _shot(page, "counter-called")

    # A reload shows the same ticket: the state lives on the server.
    page.reload()
    expect(page.get_by_test_id("current-number")).to_have_text(first["number"])
    expect(page.get_by_test_id("live-status")).to_have_attribute("data-status", "open")

    # Transfer: T searches every service; Esc cancels.
    search = page.get_by_test_id("transfer-search")
    options = page.get_by_test_id("transfer-list").get_by_role("option")
    page.keyboard.press("t")
    expect(search).to_be_focused()
    page.keyboard.type("zzz")
    expect(page.get_by_test_id("transfer-none")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_test_id("transfer-list")).to_be_hidden()
    expect(search).to_have_value("")
    expect(search).not_to_be_focused()

    page.keyboard.press("t")
    page.keyboard.type("imigrasi")  # by agency
    expect(options).to_have_count(2)
    expect(page.get_by_test_id("transfer-option-paspor-baru")).to_be_visible()
    search.fill("")
    page.keyboard.type("passport")  # by English name: "Passport replacement" leads, "New passport" next
    expect(options).to_have_count(2)
    expect(options.first).to_have_attribute("data-service-id", "penggantian-paspor")
    expect(options.first).to_have_class(re.compile(r"\bis-active\b"))
    page.keyboard.press("ArrowDown")
    expect(page.get_by_test_id("transfer-option-paspor-baru")).to_have_class(re.compile(r"\bis-active\b"))
    _shot(page, "counter-transfer-search")
    page.keyboard.press("Enter")  # picks
    expect(page.get_by_test_id("transfer-chosen")).to_contain_text("Paspor Baru")
    expect(search).to_have_value("Paspor Baru")
    expect(page.get_by_test_id("current-number")).to_have_text(first["number"])  # not yet
    page.keyboard.press("Enter")  # transfers
    expect(page.get_by_test_id("counter-info")).to_contain_text("Paspor Baru")
    expect(page.get_by_test_id("current-number")).to_have_text("—")
    expect(page.get_by_test_id("current")).to_have_class(re.compile(r"\bis-empty\b"))
    moved = admin.get(f"/api/tickets/{first['id']}").json()
    assert (moved["service_id"], moved["status"], moved["counter_id"]) == ("paspor-baru", "waiting", None), moved
    assert _waiting(admin)["imigrasi"] == 1

    # Pause with a reason, inline (no browser dialog).
    page.keyboard.press("p")
    expect(page.get_by_test_id("pause-form")).to_be_visible()
    expect(page.get_by_test_id("pause-reason")).to_be_focused()
    page.keyboard.type("Sholat Dzuhur")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("counter-status")).to_have_text("Istirahat: Sholat Dzuhur")
    expect(page.get_by_test_id("counter-status")).to_have_attribute("data-status", "paused")
    expect(page.get_by_test_id("pause-form")).to_be_hidden()
    counter = admin.get("/api/counters/loket-1").json()
    assert (counter["status"], counter["pause_reason"]) == ("paused", "Sholat Dzuhur"), counter
    _shot(page, "counter-paused")

    # The server dies under the console: it says so in plain words, and comes back by itself.
    server.kill()
    expect(page.get_by_test_id("live-status")).not_to_have_attribute("data-status", "open", timeout=5000)
    expect(page.get_by_test_id("counter-offline")).to_be_visible(timeout=6000)
    page.keyboard.press("o")
    expect(page.get_by_test_id("counter-error")).to_contain_text("tidak tersambung ke server", timeout=10_000)
    expect(page.get_by_test_id("counter-offline")).to_be_hidden()  # one message at a time: the error says it
    _shot(page, "counter-offline")
    server.start()
    restarted = time.monotonic()
    expect(page.get_by_test_id("live-status")).to_have_attribute("data-status", "open", timeout=20_000)
    print(f"counter console reconnected {time.monotonic() - restarted:.1f} s after the server was back")
    expect(page.get_by_test_id("counter-offline")).to_be_hidden()
    expect(page.get_by_test_id("counter-error")).to_be_hidden()
    expect(page.get_by_test_id("counter-info")).to_contain_text("Tersambung lagi")
    second = _issue(server)  # the floor moves on: the console follows live
    expect(page.get_by_test_id("queue-waiting-dukcapil")).to_have_text("1", timeout=3000)
    page.keyboard.press("o")  # again: the same Idempotency-Key as the unanswered press
    expect(page.get_by_test_id("counter-status")).to_have_attribute("data-status", "open")
    expect(page.get_by_test_id("counter-error")).to_be_hidden()
    page.keyboard.press("n")
    expect(page.get_by_test_id("current-number")).to_have_text(second["number"])
    assert not problems, problems


# --- c) the TV display across a server restart ------------------------------------------------


def test_display_survives_a_server_restart(server: ServerProcess, browser: Browser, admin: httpx.Client) -> None:
    problems: list[str] = []
    display = _watch(browser.new_context(viewport=LANDSCAPE).new_page(), problems)
    display.goto(f"{server.base_url}/display/tv-1#token={DISPLAY_TOKEN}")
    status = display.get_by_test_id("connection-status")
    expect(status).to_have_attribute("data-status", "open")

    # Something on the floor to look at.
    for service in ("ktp-el", "ktp-el", "akta-kelahiran", "paspor-baru", "paspor-baru"):
        _issue(server, service)
    assert admin.post("/api/counters/loket-3/call-next").json()["number"] == "B001"
    assert admin.post("/api/counters/loket-1/call-next").json()["number"] == "A001"
    expect(display.get_by_test_id("current-number")).to_have_text("A001", timeout=2000)
    expect(display.get_by_test_id("recent-calls")).to_contain_text("B001")
    _shot(display, "display")
    display.set_viewport_size(TV_SMALL)
    expect(display.get_by_test_id("current-number")).to_be_visible()
    _shot(display, "display")

    server.kill()
    expect(status).not_to_have_attribute("data-status", "open", timeout=5000)
    server.start()
    started = time.monotonic()
    call = admin.post("/api/counters/loket-2/call-next")  # the admin's session outlives the restart
    assert call.status_code == 200, call.text
    number = call.json()["number"]
    assert number == "A002"
    expect(display.get_by_test_id("current-number")).to_have_text(number, timeout=8000)
    expect(display.get_by_test_id("current-counter")).to_have_text("Loket 2")
    shown_after = time.monotonic() - started
    expect(status).to_have_attribute("data-status", "open")
    print(f"display showed {number} {shown_after:.1f} s after the server was back")
    assert shown_after < 8, shown_after
    assert not problems, problems


# --- the status page: "your turn" with a sound ----------------------------------------------


def test_status_page_chimes_on_the_call_not_on_a_reload(
    server: ServerProcess, strict_autoplay_browser: Browser, admin: httpx.Client
) -> None:
    problems: list[str] = []
    untouched, armed = _issue(server), _issue(server)
    phone = strict_autoplay_browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)

    # A visitor who switched the sound on while waiting hears the call.
    page = _watch(phone.new_page(), problems)
    page.goto(f"{server.base_url}/t/{armed['id']}")
    expect(page.get_by_test_id("ticket-position")).to_have_text("2")
    expect(page.get_by_test_id("live-status")).to_have_attribute("data-status", "open")
    arm = page.get_by_test_id("sound-arm")
    expect(arm).to_be_visible()
    expect(arm).to_have_attribute("data-state", "off")
    _shot(page, "status-waiting")
    arm.click()
    expect(arm).to_have_attribute("data-state", "on")  # the same button, in place, now says the sound is on
    expect(arm).to_contain_text("Suara aktif")
    assert page.evaluate("window.antrianStatusAlerts.length") == 0

    # One who never touched the page is offered "tap for sound" when called. (Nothing may look into
    # this page before the call: Playwright's evaluations count as a user gesture and would unlock sound.)
    other = _watch(phone.new_page(), problems)
    frames: list[str] = []
    other.on("websocket", lambda ws: ws.on("framereceived", lambda payload: frames.append(str(payload))))
    other.goto(f"{server.base_url}/t/{untouched['id']}")
    _wait_until(other, lambda: any('"status":"waiting"' in f for f in frames))
    assert admin.post("/api/counters/loket-1/call-next").json()["number"] == untouched["number"]
    _wait_until(other, lambda: any('"status":"called"' in f for f in frames))
    other.wait_for_timeout(1000)  # the page tries to play, and the browser refuses
    expect(other.get_by_test_id("called-screen")).to_be_visible()
    expect(other.get_by_test_id("sound-tap")).to_be_visible()
    _shot(other, "status-called-tap-for-sound")
    alerts = other.evaluate("window.antrianStatusAlerts")
    assert [(a["number"], a["sound"]) for a in alerts] == [(untouched["number"], "blocked")], alerts
    other.get_by_test_id("sound-tap").click()
    expect(other.get_by_test_id("sound-tap")).to_be_hidden()
    assert other.evaluate("window.antrianStatusAlerts[0].sound") == "played-after-tap"

    assert admin.post("/api/counters/loket-2/call-next").json()["number"] == armed["number"]
    expect(page.get_by_test_id("called-screen")).to_be_visible(timeout=3000)
    expect(page.get_by_test_id("called-counter")).to_have_text("Loket 2")
    expect(page.get_by_test_id("btn-cancel")).to_be_hidden()
    page.wait_for_function(
        "window.antrianStatusAlerts.length === 1 && window.antrianStatusAlerts[0].sound !== 'pending'"
    )
    alerts = page.evaluate("window.antrianStatusAlerts")
    assert [(a["number"], a["counter"], a["sound"]) for a in alerts] == [(armed["number"], "Loket 2", "played")], alerts
    expect(page.get_by_test_id("sound-tap")).to_be_hidden()
    _shot(page, "status-called")

    # A reload shows the call again, quietly.
    page.reload()
    expect(page.get_by_test_id("called-screen")).to_be_visible()
    page.wait_for_timeout(700)
    assert page.evaluate("window.antrianStatusAlerts") == []
    expect(page.get_by_test_id("sound-tap")).to_be_hidden()

    # A recall is news again.
    page.get_by_test_id("called-screen").click()  # the reloaded page needs its touch too
    assert admin.post("/api/counters/loket-2/recall").status_code == 200
    expect(page.get_by_test_id("called-screen")).to_contain_text("Panggilan ke-2", timeout=3000)
    page.wait_for_function(
        "window.antrianStatusAlerts.length === 1 && window.antrianStatusAlerts[0].sound !== 'pending'"
    )
    assert page.evaluate("window.antrianStatusAlerts[0]")["sound"] == "played"
    assert not problems, problems
