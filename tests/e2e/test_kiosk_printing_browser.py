"""The kiosk page with a real printer behind the server: a headless Chromium on the kiosk page, the real server,
and a fake ESC/POS network printer (a real TCP server) whose mood the test sets. Whatever the printer does,
the visitor leaves with a number: on paper, or on screen with a way to print it again."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect

from tests.browser import ARTIFACTS, chromium
from tests.printers.fake_printer import FakePrinter
from tests.printers.test_spooler import mall_with_network_printer, slips, wait_for_status
from tests.support import KIOSK, ServerProcess

pytestmark = pytest.mark.browser

LANDSCAPE: ViewportSize = {"width": 1920, "height": 1080}
PORTRAIT: ViewportSize = {"width": 1080, "height": 1920}
KIOSK_URL = "/kiosk/kiosk-1#token=" + KIOSK["Authorization"].split()[1]


@pytest.fixture
def browser() -> Iterator[Browser]:
    with chromium() as b:
        yield b


@pytest.fixture
def printer() -> Iterator[FakePrinter]:
    with FakePrinter() as fake:
        yield fake


@pytest.fixture
def server(tmp_path: Path, printer: FakePrinter) -> Iterator[ServerProcess]:
    """kiosk-1 prints on the fake network printer; the server polls its status every 0.3 s."""
    config = mall_with_network_printer(tmp_path, printer.port)
    proc = ServerProcess(tmp_path / "journal.sqlite3", config=config, env={"ANTRIAN_PRINTER_POLL_SECONDS": "0.3"})
    proc.start()
    try:
        yield proc
    finally:
        proc.stop()


@pytest.fixture
def kiosk_api(server: ServerProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.base_url, headers=KIOSK, timeout=10) as client:
        yield client


def _open_kiosk(browser: Browser, server: ServerProcess, problems: list[str], viewport: ViewportSize) -> Page:
    page = browser.new_context(viewport=viewport, has_touch=True).new_page()
    page.on("pageerror", lambda exc: problems.append(f"{page.url}: {exc}"))
    page.goto(server.base_url + KIOSK_URL)
    expect(page.get_by_test_id("kiosk-setup")).to_be_hidden()
    expect(page.get_by_test_id("agency-dukcapil")).to_be_visible()
    return page


def _take_a_number(page: Page) -> None:
    page.get_by_test_id("agency-dukcapil").click()
    page.get_by_test_id("service-ktp-el").click()
    page.get_by_test_id("priority-none").click()


def _shots(page: Page, name: str) -> None:
    """The page as it is, in both orientations a kiosk screen is mounted."""
    ARTIFACTS.mkdir(exist_ok=True)
    first = page.viewport_size
    for label, size in (("landscape", LANDSCAPE), ("portrait", PORTRAIT)):
        page.set_viewport_size(size)
        page.wait_for_timeout(100)
        page.screenshot(path=str(ARTIFACTS / f"e2e-kiosk-{name}-{label}.png"))
    if first:
        page.set_viewport_size(first)


def _wait_until_usable(kiosk_api: httpx.Client, usable: bool) -> dict[str, Any]:
    deadline = time.monotonic() + 10
    while True:
        catalog: dict[str, Any] = kiosk_api.get("/api/catalog", params={"kiosk_id": "kiosk-1"}).json()
        if catalog["printer"]["usable"] is usable:
            return catalog
        assert time.monotonic() < deadline, f"the printer never became usable={usable}: {catalog['printer']}"
        time.sleep(0.05)


def _seconds_left(page: Page) -> int:
    """The confirmation screen's "back to start in N s"."""
    text = page.locator("#ticket-countdown .t-id").inner_text()
    match = re.search(r"dalam (\d+) detik", text)
    assert match, text
    return int(match.group(1))


def _assert_big_enough(page: Page, test_id: str) -> None:
    box = page.get_by_test_id(test_id).bounding_box()
    assert box and box["height"] >= 64 and box["width"] >= 64, f"{test_id} is too small to tap: {box}"


def test_a_printed_ticket_says_take_it_and_shows_the_slip(
    server: ServerProcess, printer: FakePrinter, browser: Browser
) -> None:
    problems: list[str] = []
    page = _open_kiosk(browser, server, problems, PORTRAIT)
    expect(page.get_by_test_id("kiosk-printer-banner")).to_be_hidden()
    _take_a_number(page)

    expect(page.get_by_test_id("ticket-number")).to_have_text("A001")
    notice = page.get_by_test_id("print-notice")
    expect(notice).to_have_attribute("data-status", "printed")
    expect(notice).to_contain_text("Silakan ambil tiket Anda di bawah.")
    expect(notice).to_contain_text("Please take your ticket below.")
    expect(page.get_by_test_id("btn-reprint")).to_be_hidden()
    receipt = page.get_by_test_id("receipt-text")
    expect(receipt).to_be_visible()
    expect(receipt).to_contain_text("A001")
    expect(receipt).to_contain_text("Perekaman KTP-el")
    assert _seconds_left(page) <= 20, "the slip is in hand: the usual 20 s"
    assert len(slips(printer)) == 1
    _shots(page, "printed")
    assert not problems, problems


def test_an_unprinted_ticket_stays_on_screen_and_prints_again_once(
    server: ServerProcess, printer: FakePrinter, browser: Browser, kiosk_api: httpx.Client
) -> None:
    problems: list[str] = []
    page = _open_kiosk(browser, server, problems, LANDSCAPE)
    printer.mode = "silent"  # takes the slip's bytes, never says it printed them
    _take_a_number(page)

    expect(page.get_by_test_id("ticket-number")).to_have_text("A001", timeout=10_000)
    notice = page.get_by_test_id("print-notice")
    expect(notice).to_have_attribute("data-status", "failed")
    expect(notice).to_contain_text("Tiket tidak dapat dicetak")
    expect(notice).to_contain_text("A001")
    expect(page.get_by_test_id("receipt-text")).to_contain_text("A001")
    reprint = page.get_by_test_id("btn-reprint")
    expect(reprint).to_be_visible()
    expect(reprint).to_be_enabled()
    _assert_big_enough(page, "btn-reprint")
    assert _seconds_left(page) > 30, "no slip: longer to take a photo of the screen"
    _shots(page, "failed")

    # While the printer is still down, a tap says so, in place, and sends nothing.
    _wait_until_usable(kiosk_api, False)
    before = len(slips(printer))
    reprint.click()
    result = page.get_by_test_id("reprint-result")
    expect(result).to_contain_text("Printer masih bermasalah")
    expect(reprint).to_be_enabled()
    _shots(page, "reprint-refused")
    assert len(slips(printer)) == before

    # Back in order: one tap, one more slip, and the page says it printed.
    printer.mode = "ok"
    _wait_until_usable(kiosk_api, True)
    before = len(slips(printer))
    # An impatient double tap: the first disables the button at once, the second finds it disabled.
    assert reprint.evaluate("b => { b.click(); var off = b.disabled; b.click(); return off; }") is True
    expect(notice).to_have_attribute("data-status", "printed", timeout=10_000)
    expect(notice).to_contain_text("Silakan ambil tiket Anda di bawah.")
    expect(reprint).to_be_hidden()
    expect(result).to_be_hidden()
    page.wait_for_timeout(500)  # a second slip, if any, would be at the printer by now
    assert len(slips(printer)) == before + 1
    assert not problems, problems


def test_paper_out_is_said_before_choosing_and_the_number_is_shown_on_screen(
    server: ServerProcess, printer: FakePrinter, browser: Browser, kiosk_api: httpx.Client
) -> None:
    problems: list[str] = []
    page = browser.new_context(viewport=LANDSCAPE, has_touch=True).new_page()
    page.on("pageerror", lambda exc: problems.append(f"{page.url}: {exc}"))
    page.clock.install()  # to run the page's catalogue refresh without waiting for it
    page.goto(server.base_url + KIOSK_URL)
    expect(page.get_by_test_id("agency-dukcapil")).to_be_visible()
    banner = page.get_by_test_id("kiosk-printer-banner")
    expect(banner).to_be_hidden()

    printer.mode = "paper_out"
    wait_for_status(kiosk_api, "paper_out")
    page.clock.fast_forward(16_000)  # the start screen's catalogue refresh (every 15 s)
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("Printer tiket sedang bermasalah")
    expect(banner).to_contain_text("The ticket printer is not working")
    _shots(page, "banner")

    before = len(slips(printer))
    _take_a_number(page)
    expect(page.get_by_test_id("ticket-number")).to_have_text("A001")
    expect(page.get_by_test_id("ticket-qr")).to_be_visible()
    notice = page.get_by_test_id("print-notice")
    expect(notice).to_have_attribute("data-status", "none")
    expect(notice).to_contain_text("A001")
    expect(page.get_by_test_id("receipt-text")).to_contain_text("A001")
    expect(banner).to_be_hidden()  # the confirmation says it itself
    _shots(page, "paper-out-ticket")
    page.wait_for_timeout(300)
    assert len(slips(printer)) == before, "nothing is sent to a printer without paper"
    ticket = kiosk_api.get("/api/tickets/" + page.get_by_test_id("ticket-link").inner_text().rsplit("/", 1)[1])
    assert ticket.json()["print_status"] == "none"

    page.get_by_test_id("ticket-done").click()
    expect(banner).to_be_visible()
    printer.mode = "ok"
    assert not problems, problems
