"""The TV display in a real headless Chromium against a real server: spoken calls queue and never
overlap, calls show within a second, a reload says nothing old, sound asks for a tap when blocked,
and the running text runs."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser import ARTIFACTS, chromium
from tests.displays.variants import allday_with
from tests.support import DISPLAY_TOKEN, KIOSK, ServerProcess, login

pytestmark = pytest.mark.browser

AUTOPLAY = "--autoplay-policy=no-user-gesture-required"
TICKER = "Layanan gratis, tidak dipungut biaya. Jam layanan 07.30-15.30."


@pytest.fixture
def browser() -> Iterator[Browser]:
    """Chromium as a TV stick is set up for the display: sound without a tap."""
    with chromium(AUTOPLAY) as b:
        yield b


@pytest.fixture
def words_server(tmp_path: Path) -> Iterator[ServerProcess]:
    """tests/allday.toml with tv-1 saying numbers as words, once, with a running text."""
    config = allday_with(tmp_path / "mall.toml", announce_style="words", announce_repeat=1, ticker=TICKER)
    proc = ServerProcess(tmp_path / "journal.sqlite3", config=config).start()
    try:
        yield proc
    finally:
        proc.stop()


def _watch(page: Page, problems: list[str]) -> None:
    page.on("pageerror", lambda exc: problems.append(f"{page.url}: {exc}"))


def _shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"display-{name}.png"))


def _issue(base: str, n: int, service: str = "ktp-el") -> list[str]:
    numbers = []
    for _ in range(n):
        r = httpx.post(f"{base}/api/tickets", json={"service_id": service}, headers=KIOSK, timeout=5)
        assert r.status_code == 201, r.text
        numbers.append(r.json()["number"])
    return numbers


def _call_together(base: str, counters: list[str]) -> tuple[list[str], float]:
    """Call next at several counters at once (one admin session, one thread each): the numbers
    called, in the order of `counters`, and the time from the first request to the last answer."""
    results: dict[str, str] = {}
    with httpx.Client(base_url=base, timeout=10) as admin:
        login(admin, "admin")
        barrier = threading.Barrier(len(counters))

        def call(counter: str) -> None:
            barrier.wait()
            r = admin.post(f"/api/counters/{counter}/call-next")
            assert r.status_code == 200, r.text
            results[counter] = r.json()["number"]

        threads = [threading.Thread(target=call, args=(c,)) for c in counters]
        started = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        took = time.monotonic() - started
    return [results[c] for c in counters], took


def _open_display(browser: Browser, base: str, problems: list[str], token: bool = True) -> Page:
    page = browser.new_context(viewport={"width": 1920, "height": 1080}).new_page()
    _watch(page, problems)
    page.goto(f"{base}/display/tv-1" + (f"#token={DISPLAY_TOKEN}" if token else ""))
    expect(page.get_by_test_id("connection-status")).to_have_attribute("data-status", "open")
    return page


def _log(page: Page) -> list[dict[str, Any]]:
    return list(page.evaluate("window.antrianAnnouncements"))


def test_two_quick_calls_are_said_one_after_the_other(words_server: ServerProcess, browser: Browser) -> None:
    base = words_server.base_url
    problems: list[str] = []
    display = _open_display(browser, base, problems)
    expect(display.get_by_test_id("sound-unlock")).to_be_hidden()
    assert _issue(base, 2) == ["A001", "A002"]

    (first, second), took = _call_together(base, ["loket-1", "loket-2"])
    assert took < 0.5, f"the two calls took {took:.3f} s: not quick succession"
    assert sorted([first, second]) == ["A001", "A002"]
    shown_at = time.monotonic()
    expect(display.get_by_test_id("recent-calls")).to_contain_text("A001", timeout=1000)
    expect(display.get_by_test_id("recent-calls")).to_contain_text("A002", timeout=1000)
    assert time.monotonic() - shown_at < 1.0
    _shot(display, "two-calls")

    # Both are announced; the second waits for the first to finish.
    display.wait_for_function(
        "() => window.antrianAnnouncements.length === 2 && window.antrianAnnouncements.every(a => a.end !== null)",
        timeout=45_000,
    )
    log = _log(display)
    by_number = {a["number"]: a for a in log}
    words = {"A001": "satu", "A002": "dua"}
    counter_words = {"loket-1": "satu", "loket-2": "dua"}
    for a in log:
        assert a["status"] == "done", a
        assert a["via"] == ["clips:id"], f"not played from the clips: {a}"
        assert a["text"] == (
            f"Nomor antrian, A, {words[a['number']]}, silakan menuju loket {counter_words[a['counter_id']]}."
        )
        assert a["end"] - a["start"] > 3000, f"too short to have been said: {a}"  # chime 1.9 s + words
    assert {by_number["A001"]["counter_id"], by_number["A002"]["counter_id"]} == {"loket-1", "loket-2"}
    one, two = sorted(log, key=lambda a: a["start"])
    assert one["end"] <= two["start"], f"announcements overlap: {one} / {two}"
    assert two["start"] - one["end"] < 1000, "the second call waited longer than needed"
    assert one["queued"] <= two["queued"] <= one["end"], "the second call arrived while the first was said"

    # A reload shows the calls again but says nothing old.
    display.reload()
    expect(display.get_by_test_id("connection-status")).to_have_attribute("data-status", "open")
    expect(display.get_by_test_id("recent-calls")).to_contain_text("A002")
    display.wait_for_timeout(1500)
    assert _log(display) == []
    assert not problems, problems


def test_a_recall_during_a_call_waits_its_turn_and_the_display_survives_missing_clips(
    words_server: ServerProcess, browser: Browser
) -> None:
    """Clips that cannot be loaded: the part is said by speech synthesis (or, where the browser has
    none, only logged), and the queue goes on in order."""
    base = words_server.base_url
    problems: list[str] = []
    display = _open_display(browser, base, problems)
    display.route("**/clips/id/satu.wav", lambda route: route.abort())
    _issue(base, 1)
    with httpx.Client(base_url=base, timeout=10) as clerk:
        login(clerk, "loket1")
        assert clerk.post("/api/counters/loket-1/call-next").json()["number"] == "A001"
        display.wait_for_function("() => window.antrianAnnouncements.length === 1")
        assert clerk.post("/api/counters/loket-1/recall").status_code == 200
    display.wait_for_function(
        "() => window.antrianAnnouncements.length === 2 && window.antrianAnnouncements.every(a => a.end !== null)",
        timeout=45_000,
    )
    call, recall = _log(display)
    assert (call["recall"], recall["recall"]) == (False, True)
    for a in (call, recall):
        assert a["text"] == "Nomor antrian, A, satu, silakan menuju loket satu."
        assert any("satu.wav" in n for n in a["notes"]), a
        assert a["via"] in (["chime", "speech:id"], ["chime"]), a  # the browser's voice, if it has one
    assert call["end"] <= recall["start"]
    assert not problems, problems


def test_blocked_sound_asks_for_one_tap(server: ServerProcess) -> None:
    """Without the TV's autoplay setting the browser blocks sound: the display asks for a tap,
    keeps showing calls, and speaks once tapped."""
    base = server.base_url
    problems: list[str] = []
    with chromium() as browser:
        display = _open_display(browser, base, problems)
        unlock = display.get_by_test_id("sound-unlock")
        expect(unlock).to_be_visible()
        expect(unlock).to_contain_text("Ketuk untuk mengaktifkan suara")
        expect(unlock).to_contain_text("Tap to enable sound")
        expect(display.get_by_test_id("ticker")).to_be_hidden()  # tv-1 has no running text here
        _shot(display, "sound-blocked")
        box = unlock.bounding_box()
        current = display.get_by_test_id("current-call").bounding_box()
        assert box and current and box["y"] >= current["y"] + current["height"], "the button hides the call"

        unlock.click()
        expect(unlock).to_be_hidden()
        _issue(base, 1)
        with httpx.Client(base_url=base, timeout=10) as clerk:
            login(clerk, "loket1")
            clerk.post("/api/counters/loket-1/call-next").raise_for_status()
        expect(display.get_by_test_id("current-number")).to_have_text("A001", timeout=1000)
        display.wait_for_function(
            "() => window.antrianAnnouncements.length === 1 && window.antrianAnnouncements[0].start !== null"
        )
        (item,) = _log(display)
        # tv-1's defaults: digits, said twice
        assert item["text"] == "Nomor antrian, A, nol nol satu, silakan menuju loket satu."
        assert item["repeat"] == 2
        assert item["status"] in ("playing", "done"), item
        expect(unlock).to_be_hidden()
    assert not problems, problems


def test_the_running_text_scrolls(words_server: ServerProcess, browser: Browser) -> None:
    problems: list[str] = []
    display = _open_display(browser, words_server.base_url, problems)
    ticker = display.get_by_test_id("ticker")
    expect(ticker).to_be_visible()
    expect(display.get_by_test_id("ticker-text")).to_have_text(TICKER)
    box = ticker.bounding_box()
    assert box and box["y"] + box["height"] == pytest.approx(1080, abs=1), "the ticker is at the bottom"
    animation = display.evaluate(
        "() => { const s = getComputedStyle(document.getElementById('tv-ticker-text'));"
        " return [s.animationName, parseFloat(s.animationDuration)]; }"
    )
    assert animation[0] == "tv-ticker" and 10 <= animation[1] <= 120, animation
    x0 = display.evaluate("document.getElementById('tv-ticker-text').getBoundingClientRect().x")
    display.wait_for_timeout(600)
    x1 = display.evaluate("document.getElementById('tv-ticker-text').getBoundingClientRect().x")
    assert x1 < x0, "the text does not move"
    display.wait_for_timeout(2500)  # let the text come in for the screenshots
    for width, height in ((1920, 1080), (1366, 768)):
        display.set_viewport_size({"width": width, "height": height})
        _shot(display, f"ticker-{width}x{height}")
    assert not problems, problems
