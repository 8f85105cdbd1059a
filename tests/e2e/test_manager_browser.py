"""The floor manager's dashboard and the day's report in a real headless Chromium against a real server:
a scripted morning (tickets issued, one served, a counter paused) shows up with the right figures, follows
the floor live without a reload, drills down into an agency, and the report (a day or a range of days)
downloads as CSV and as an Excel workbook."""

from __future__ import annotations

import csv
import io
import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Route, ViewportSize, expect

from tests.browser import ARTIFACTS, chromium
from tests.support import DEMO_PASSWORD, ServerProcess, login

pytestmark = pytest.mark.browser

FULL_HD: ViewportSize = {"width": 1920, "height": 1080}
LAPTOP: ViewportSize = {"width": 1366, "height": 768}
CSV_HEADER = [
    "date", "id", "name", "issued", "served", "no_shows", "transferred_out", "cancelled", "recalls",
    "service_level", "wait_count", "wait_mean_min", "wait_median_min", "wait_p90_min", "wait_max_min",
    "service_count", "service_mean_min", "service_median_min", "service_p90_min", "service_max_min",
]  # fmt: skip


@pytest.fixture
def browser() -> Iterator[Browser]:
    with chromium() as b:
        yield b


def _watch(page: Page, problems: list[str]) -> None:
    page.on("pageerror", lambda exc: problems.append(f"{page.url}: {exc}"))
    page.on("console", lambda msg: problems.append(f"{page.url}: {msg.text}") if msg.type == "error" else None)


def _shot(page: Page, name: str, full_page: bool = False) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"e2e-{name}.png"), full_page=full_page)


@contextmanager
def _staff(base: str, username: str) -> Iterator[httpx.Client]:
    """An httpx session of a member of staff (session cookie and CSRF header)."""
    with httpx.Client(base_url=base, timeout=5) as client:
        yield login(client, username)


def _manager_context(browser: Browser, base: str, viewport: ViewportSize = FULL_HD) -> BrowserContext:
    context = browser.new_context(viewport=viewport)
    r = context.request.post(f"{base}/api/login", data={"username": "manajer", "password": DEMO_PASSWORD})
    assert r.ok, r.text()
    return context


def _issue(admin: httpx.Client, service_id: str = "ktp-el") -> dict[str, Any]:
    r = admin.post("/api/tickets", json={"service_id": service_id})
    assert r.status_code == 201, r.text
    return dict(r.json())


def _morning(base: str) -> None:
    """Three tickets for Dukcapil; Loket 1 serves the first; Loket 2 opens and goes on a break."""
    with _staff(base, "admin") as admin, _staff(base, "loket1") as clerk1, _staff(base, "loket2") as clerk2:
        numbers = [_issue(admin)["number"] for _ in range(3)]
        assert numbers == ["A001", "A002", "A003"]
        assert clerk1.post("/api/counters/loket-1/call-next").json()["number"] == "A001"
        assert clerk1.post("/api/counters/loket-1/start").status_code == 200
        assert clerk1.post("/api/counters/loket-1/finish").json()["status"] == "served"
        assert clerk2.post("/api/counters/loket-2/open").status_code == 200
        assert clerk2.post("/api/counters/loket-2/pause", json={"reason": "Sholat"}).status_code == 200


def _chart_totals(page: Page) -> tuple[int, int]:
    bars = page.locator("[data-testid=chart-svg] g[data-hour]")
    arrivals = served = 0
    for i in range(bars.count()):
        arrivals += int(bars.nth(i).get_attribute("data-arrivals") or 0)
        served += int(bars.nth(i).get_attribute("data-served") or 0)
    return arrivals, served


def test_dashboard_shows_the_floor_live_and_the_report_downloads(server: ServerProcess, browser: Browser) -> None:
    base = server.base_url
    problems: list[str] = []
    _morning(base)

    # The manager logs in on the login page and lands on the dashboard.
    context = browser.new_context(viewport=FULL_HD)
    page = context.new_page()
    _watch(page, problems)
    page.goto(f"{base}/login?next=/manager")
    page.get_by_test_id("login-username").fill("manajer")
    page.get_by_test_id("login-password").fill(DEMO_PASSWORD)
    page.get_by_test_id("login-submit").click()
    page.wait_for_url(f"{base}/manager")
    expect(page.get_by_test_id("live-status")).to_have_attribute("data-status", "open")

    # The figures after the scripted morning.
    expect(page.get_by_test_id("agency-waiting-dukcapil")).to_have_text("2")
    expect(page.get_by_test_id("agency-open-dukcapil")).to_have_text("1")
    expect(page.get_by_test_id("agency-idle-dukcapil")).to_have_text("1")
    expect(page.get_by_test_id("agency-paused-dukcapil")).to_have_text("1")
    expect(page.get_by_test_id("agency-closed-dukcapil")).to_have_text("0")
    expect(page.get_by_test_id("agency-served-dukcapil")).to_have_text("1")
    expect(page.get_by_test_id("agency-sl-dukcapil")).to_have_text("100%")  # A001 was called within 30 minutes
    expect(page.get_by_test_id("agency-longest-dukcapil")).to_have_text("<1 mnt")
    expect(page.get_by_test_id("agency-waiting-imigrasi")).to_have_text("0")
    expect(page.get_by_test_id("agency-closed-imigrasi")).to_have_text("1")
    expect(page.get_by_test_id("agency-served-imigrasi")).to_have_text("0")
    expect(page.get_by_test_id("summary-waiting")).to_have_text("2")
    expect(page.get_by_test_id("summary-issued")).to_have_text("3")
    expect(page.get_by_test_id("summary-served")).to_have_text("1")
    expect(page.get_by_test_id("summary-open")).to_have_text("1")
    expect(page.get_by_test_id("summary-paused")).to_have_text("1")
    expect(page.get_by_test_id("reports-link")).to_have_attribute("href", "/manager/reports")
    assert _chart_totals(page) == (3, 1)
    # The alerts endpoint may or may not be there yet: either way the panel says something.
    expect(page.get_by_test_id("alerts-status").or_(page.get_by_test_id("alerts").locator("li").first)).to_be_visible()

    # Live: another ticket shows up without a reload, within ~3 s.
    page.evaluate("window.__sameDocument = true")
    with _staff(base, "admin") as admin:
        issued_at = time.monotonic()
        assert _issue(admin)["number"] == "A004"
    expect(page.get_by_test_id("agency-waiting-dukcapil")).to_have_text("3", timeout=3000)
    seen_after = time.monotonic() - issued_at
    expect(page.get_by_test_id("summary-waiting")).to_have_text("3")
    expect(page.get_by_test_id("summary-issued")).to_have_text("4", timeout=8000)  # /api/stats, debounced
    assert page.evaluate("window.__sameDocument") is True, "the page reloaded"
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=chart-svg] g[data-hour]')]"
        ".reduce((n, g) => n + Number(g.getAttribute('data-arrivals')), 0) === 4",
        timeout=8000,
    )
    _shot(page, "manager-1920")

    # Drill-down into Dukcapil: its services and counters.
    page.get_by_test_id("agency-dukcapil").click()
    detail = page.get_by_test_id("detail")
    expect(detail).to_be_visible()
    expect(page.get_by_test_id("detail-title")).to_have_text("Dinas Kependudukan dan Pencatatan Sipil")
    expect(page.get_by_test_id("detail-queue-waiting-dukcapil")).to_have_text("3")
    expect(page.get_by_test_id("detail-queue-waiting-dukcapil-akta")).to_have_text("0")
    expect(page.get_by_test_id("detail-service-served-ktp-el")).to_have_text("1")
    expect(page.get_by_test_id("detail-service-ktp-el")).to_contain_text("100%")
    expect(page.get_by_test_id("detail-counter-status-loket-1")).to_have_text("Buka · menganggur")
    expect(page.get_by_test_id("detail-counter-status-loket-2")).to_have_text("Istirahat: Sholat")
    expect(page.get_by_test_id("detail-counter-served-loket-1")).to_have_text("1")
    expect(page.get_by_test_id("detail-counter-served-loket-2")).to_have_text("0")
    # ... and it follows the floor too: Loket 1 calls A002.
    with _staff(base, "loket1") as clerk1:
        assert clerk1.post("/api/counters/loket-1/call-next").json()["number"] == "A002"
    expect(page.get_by_test_id("detail-counter-ticket-loket-1")).to_contain_text("A002", timeout=3000)
    expect(page.get_by_test_id("detail-queue-waiting-dukcapil")).to_have_text("2")
    expect(page.get_by_test_id("agency-idle-dukcapil")).to_have_text("0")
    _shot(page, "manager-detail-1920")
    page.keyboard.press("Escape")
    expect(detail).to_be_hidden()

    # The same dashboard on a 1366x768 laptop.
    small = _manager_context(browser, base, LAPTOP).new_page()
    _watch(small, problems)
    small.goto(f"{base}/manager")
    expect(small.get_by_test_id("agency-waiting-dukcapil")).to_have_text("2")
    expect(small.get_by_test_id("summary-served")).to_have_text("1")
    tile = small.get_by_test_id("agency-dukcapil").bounding_box()
    assert tile and tile["x"] + tile["width"] <= 1366, tile
    assert small.evaluate("document.documentElement.scrollWidth") <= 1366, "the dashboard scrolls sideways at 1366"
    _shot(small, "manager-1366")
    small.get_by_test_id("agency-dukcapil").click()
    expect(small.get_by_test_id("detail-service-served-ktp-el")).to_have_text("1")
    _shot(small, "manager-detail-1366")

    # The report for today: the served count in the services table, and the CSV.
    page.get_by_test_id("reports-link").click()
    page.wait_for_url(f"{base}/manager/reports")
    today = page.get_by_test_id("report-from").input_value()
    expect(page.get_by_test_id("report-to")).to_have_value(today)
    served_cell = page.get_by_test_id("row-services-ktp-el").locator("[data-col=served]")
    expect(served_cell).to_have_text("1")
    expect(page.get_by_test_id("row-services-ktp-el").locator("[data-col=issued]")).to_have_text("4")
    expect(page.get_by_test_id("row-agencies-dukcapil").locator("[data-col=served]")).to_have_text("1")
    expect(page.get_by_test_id("row-counters-loket-1").locator("[data-col=served]")).to_have_text("1")
    expect(page.get_by_test_id("row-staff-staff:loket1").locator("[data-col=served]")).to_have_text("1")
    expect(page.get_by_test_id("total-served")).to_have_text("1")
    link = page.get_by_test_id("csv-services")
    assert link.get_attribute("href") == f"/api/stats.csv?from={today}&to={today}&by=services"
    with page.expect_download() as info:
        link.click()
    rows = list(csv.reader(io.StringIO(info.value.path().read_text(encoding="utf-8"))))
    assert rows[0] == CSV_HEADER
    by_id = {r[1]: dict(zip(rows[0], r, strict=True)) for r in rows[1:]}
    assert (by_id["ktp-el"]["date"], by_id["ktp-el"]["issued"], by_id["ktp-el"]["served"]) == (today, "4", "1")
    counters = context.request.get(f"{base}{page.get_by_test_id('csv-counters').get_attribute('href')}")
    assert counters.ok and counters.headers["content-type"].startswith("text/csv")
    header = next(csv.reader(io.StringIO(counters.text())))
    assert header == [*CSV_HEADER, "open_min", "busy_min", "idle_min", "paused_min"]
    _shot(page, "reports-1920", full_page=True)

    reports_small = small.context.new_page()
    _watch(reports_small, problems)
    reports_small.goto(f"{base}/manager/reports")
    expect(reports_small.get_by_test_id("row-services-ktp-el").locator("[data-col=served]")).to_have_text("1")
    assert reports_small.evaluate("document.documentElement.scrollWidth") <= 1366
    _shot(reports_small, "reports-1366")
    # As it prints: A4 width, no controls, the table headers repeat (thead as a header group).
    reports_small.set_viewport_size({"width": 794, "height": 1123})
    reports_small.emulate_media(media="print")
    expect(reports_small.get_by_test_id("report-form")).to_be_hidden()
    expect(reports_small.get_by_test_id("csv-services")).to_be_hidden()
    assert reports_small.evaluate("getComputedStyle(document.querySelector('thead')).display") == "table-header-group"
    _shot(reports_small, "reports-print", full_page=True)
    ARTIFACTS.mkdir(exist_ok=True)
    reports_small.pdf(path=str(ARTIFACTS / "e2e-reports.pdf"), format="A4", prefer_css_page_size=True)

    # A past day with nothing in it, and a day that has not come.
    past = (datetime.fromisoformat(today) - timedelta(days=3)).date().isoformat()
    page.get_by_test_id("report-from").fill(past)
    page.get_by_test_id("report-to").fill(past)
    page.get_by_test_id("report-show").click()
    expect(page.get_by_test_id("total-issued")).to_have_text("0")
    expect(page.get_by_test_id("section-services")).to_contain_text("Tidak ada kegiatan")
    assert page.url.endswith(f"/manager/reports?date={past}")
    past_csv = page.get_by_test_id("csv-services").get_attribute("href")
    assert past_csv == f"/api/stats.csv?from={past}&to={past}&by=services"

    # A range, chosen in the inputs: from 3 days ago to today. The earlier days are empty, so the same figures.
    page.get_by_test_id("report-from").fill(past)
    page.get_by_test_id("report-to").fill(today)
    page.get_by_test_id("report-show").click()
    expect(page.get_by_test_id("total-served")).to_have_text("1")
    expect(page.get_by_test_id("total-issued")).to_have_text("4")
    expect(served_cell).to_have_text("1")
    expect(page.get_by_test_id("row-counters-loket-1").locator("[data-col=served]")).to_have_text("1")
    expect(page.get_by_test_id("report-title")).to_contain_text(" – ")
    expect(page.get_by_test_id("report-error")).to_be_hidden()
    assert page.url.endswith(f"/manager/reports?from={past}&to={today}")
    link = page.get_by_test_id("csv-services")
    assert link.get_attribute("href") == f"/api/stats.csv?from={past}&to={today}&by=services"
    ranged = context.request.get(f"{base}{link.get_attribute('href')}")
    assert ranged.ok, ranged.text()
    rows = list(csv.reader(io.StringIO(ranged.text())))
    assert rows[0] == CSV_HEADER
    by_id = {r[1]: dict(zip(rows[0], r, strict=True)) for r in rows[1:]}
    assert (by_id["ktp-el"]["date"], by_id["ktp-el"]["served"]) == (f"{past}..{today}", "1")
    xlsx = page.get_by_test_id("report-xlsx")
    expect(xlsx).to_be_visible()
    assert xlsx.get_attribute("href") == f"/api/stats.xlsx?from={past}&to={today}"
    with page.expect_download() as info:
        xlsx.click()
    assert info.value.failure() is None, info.value.failure()
    assert info.value.path().read_bytes()[:2] == b"PK", "not an xlsx (zip) file"
    _shot(page, "reports-range-1920", full_page=True)

    # The range is linkable; ?date= still works; quick buttons; a reversed range is refused in plain words.
    page.goto(f"{base}/manager/reports?from={past}&to={today}")
    expect(page.get_by_test_id("report-from")).to_have_value(past)
    expect(page.get_by_test_id("report-to")).to_have_value(today)
    expect(page.get_by_test_id("total-served")).to_have_text("1")
    page.goto(f"{base}/manager/reports?date={past}")
    expect(page.get_by_test_id("report-from")).to_have_value(past)
    expect(page.get_by_test_id("report-to")).to_have_value(past)
    expect(page.get_by_test_id("total-issued")).to_have_text("0")
    page.get_by_test_id("report-7days").click()
    week_start = (datetime.fromisoformat(today) - timedelta(days=6)).date().isoformat()
    expect(page.get_by_test_id("report-from")).to_have_value(week_start)
    expect(page.get_by_test_id("report-to")).to_have_value(today)
    expect(page.get_by_test_id("total-served")).to_have_text("1")
    assert page.url.endswith(f"/manager/reports?from={week_start}&to={today}")
    page.get_by_test_id("report-month").click()
    expect(page.get_by_test_id("report-from")).to_have_value(today[:8] + "01")
    expect(page.get_by_test_id("total-served")).to_have_text("1")
    page.get_by_test_id("report-today").click()
    expect(page.get_by_test_id("report-from")).to_have_value(today)
    page.wait_for_url(f"{base}/manager/reports")
    page.get_by_test_id("report-from").fill(today)
    page.get_by_test_id("report-to").fill(past)
    with page.expect_response(lambda r: r.url.startswith(f"{base}/api/stats?")) as answer:
        page.get_by_test_id("report-show").click()
    assert answer.value.status == 422, answer.value.status
    error = page.get_by_test_id("report-error")
    expect(error).to_be_visible()
    expect(error).to_have_text(str(answer.value.json()["detail"]))
    expect(page.get_by_test_id("report-xlsx")).to_be_hidden()
    _shot(page, "reports-reversed-1920")
    problems[:] = [p for p in problems if "422" not in p]  # the browser logs the refused request

    assert seen_after < 3.5, seen_after
    assert not problems, problems


def test_alerts_panel_orders_by_severity_and_survives_a_missing_endpoint(
    server: ServerProcess, browser: Browser
) -> None:
    base = server.base_url
    problems: list[str] = []
    _morning(base)
    now = datetime.now(UTC)
    alerts = [
        {
            "id": "a1",
            "kind": "counter_idle",
            "severity": "warning",
            "subject_id": "loket-1",
            "agency_id": "dukcapil",
            "message": "Loket 1 menganggur sementara 2 orang menunggu.",
            "since": (now - timedelta(minutes=12)).isoformat(),
        },
        {
            "id": "a2",
            "kind": "printer_problem",
            "severity": "critical",
            "subject_id": "printer-1",
            "agency_id": None,
            "message": "Printer kios 1 kehabisan kertas.",
            "since": (now - timedelta(minutes=3)).isoformat(),
        },
        {
            "id": "a3",
            "kind": "queue_over_target",
            "severity": "critical",
            "subject_id": "imigrasi",
            "agency_id": "imigrasi",
            "message": "Antrian Imigrasi menunggu 41 menit (target 30).",
            "since": (now - timedelta(minutes=70)).isoformat(),
        },
    ]
    calls = {"alerts": 0}

    def serve_alerts(route: Route) -> None:
        calls["alerts"] += 1
        route.fulfill(status=200, content_type="application/json", body=json.dumps(alerts))

    def missing(route: Route) -> None:
        route.fulfill(status=404, content_type="application/json", body='{"status_code":404,"detail":"Not Found"}')

    # Not there yet: the panel says so and everything else works.
    context = _manager_context(browser, base)
    page = context.new_page()
    _watch(page, problems)
    page.route("**/api/alerts", missing)
    page.goto(f"{base}/manager")
    expect(page.get_by_test_id("alerts-status")).to_contain_text("alerts unavailable")
    expect(page.get_by_test_id("agency-waiting-dukcapil")).to_have_text("2")
    expect(page.get_by_test_id("agency-served-dukcapil")).to_have_text("1")

    # There: critical first (the oldest first), with how long ago; tiles carry their agency's alerts.
    page.unroute("**/api/alerts")
    page.route("**/api/alerts", serve_alerts)
    page.reload()
    items = page.get_by_test_id("alerts").locator("li")
    expect(items).to_have_count(3)
    assert [items.nth(i).get_attribute("data-severity") for i in range(3)] == ["critical", "critical", "warning"]
    expect(items.nth(0)).to_contain_text("Antrian melewati target")
    expect(items.nth(0).get_by_test_id("alert-ago")).to_have_text("1 j 10 mnt lalu")
    expect(items.nth(1)).to_contain_text("kehabisan kertas")
    expect(items.nth(1).get_by_test_id("alert-ago")).to_have_text("3 mnt lalu")
    expect(items.nth(2).get_by_test_id("alert-ago")).to_have_text("12 mnt lalu")
    expect(page.get_by_test_id("alerts-count")).to_have_text("3")
    expect(page.get_by_test_id("alerts-status")).to_be_hidden()
    expect(page.get_by_test_id("agency-imigrasi")).to_have_class("tile has-critical is-quiet")
    expect(page.get_by_test_id("agency-alerts-dukcapil")).to_have_text("⚠ 1")

    # Alerts are read again after events (debounced), not only every 20 s.
    before = calls["alerts"]
    alerts.pop(0)
    with _staff(base, "loket1") as clerk1:
        assert clerk1.post("/api/counters/loket-1/call-next").status_code == 200
    expect(items).to_have_count(2, timeout=8000)
    assert calls["alerts"] > before
    expect(page.get_by_test_id("agency-alerts-dukcapil")).to_be_hidden()
    _shot(page, "manager-alerts-1920")
    page.set_viewport_size(LAPTOP)
    page.wait_for_timeout(300)
    _shot(page, "manager-alerts-1366")
    assert not [p for p in problems if "404" not in p], problems


def test_only_managers_and_admins_get_the_manager_pages(server: ServerProcess, browser: Browser) -> None:
    base = server.base_url
    for path in ("/manager", "/manager/reports"):
        r = httpx.get(f"{base}{path}", follow_redirects=False, timeout=5)
        assert r.status_code in (302, 303, 307), r.status_code
        assert r.headers["location"] == f"/login?next={path}"
        with _staff(base, "loket1") as clerk:
            r = clerk.get(path)
            assert r.status_code == 403, r.text
            assert "manager" in r.text
        with _staff(base, "spv-dukcapil") as supervisor:
            assert supervisor.get(path).status_code == 403
        with _staff(base, "admin") as admin:
            assert admin.get(path).status_code == 200

    anonymous = browser.new_context(viewport=FULL_HD).new_page()
    anonymous.goto(f"{base}/manager")
    assert anonymous.url == f"{base}/login?next=/manager"
    expect(anonymous.get_by_test_id("login-username")).to_be_visible()

    clerk_context = browser.new_context(viewport=FULL_HD)
    logged_in = clerk_context.request.post(f"{base}/api/login", data={"username": "loket1", "password": DEMO_PASSWORD})
    assert logged_in.ok
    response = clerk_context.new_page().goto(f"{base}/manager")
    assert response is not None and response.status == 403
