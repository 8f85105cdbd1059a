"""The day's figures over HTTP and as CSV, for a scripted day on the real server."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import httpx
import openpyxl

from tests.support import DISPLAY_TOKEN, ServerProcess, login


def scripted_day(server: ServerProcess) -> httpx.Client:
    admin = login(httpx.Client(base_url=server.base_url, timeout=10), "admin")
    for service in ("ktp-el", "ktp-el", "akta-kelahiran"):
        assert admin.post("/api/tickets", json={"service_id": service}).status_code == 201
    clerk = login(httpx.Client(base_url=server.base_url, timeout=10), "loket1")
    for action in ("call-next", "start", "finish", "call-next", "no-show", "call-next", "start", "finish"):
        r = clerk.post(f"/api/counters/loket-1/{action}")
        assert r.status_code == 200, (action, r.text)
    return admin


def test_stats_for_today(server: ServerProcess) -> None:
    manager = login(httpx.Client(base_url=server.base_url, timeout=10), "manajer")
    scripted_day(server)
    stats = manager.get("/api/stats").json()
    services = {r["id"]: r for r in stats["services"]}
    assert (services["ktp-el"]["issued"], services["ktp-el"]["served"], services["ktp-el"]["no_shows"]) == (2, 1, 1)
    assert (services["akta-kelahiran"]["issued"], services["akta-kelahiran"]["served"]) == (1, 1)
    assert services["ktp-el"]["wait_minutes"]["count"] == 2
    assert services["ktp-el"]["service_level"] == 1.0  # all called within seconds
    counters = {r["id"]: r for r in stats["counters"]}
    assert (counters["loket-1"]["served"], counters["loket-1"]["no_shows"]) == (2, 1)
    assert counters["loket-1"]["open_minutes"] >= counters["loket-1"]["busy_minutes"] >= 0
    staff = {r["id"]: r for r in stats["staff"]}
    assert staff["staff:loket1"]["served"] == 2 and staff["staff:loket1"]["name"] == "loket1"
    assert sum(stats["arrivals_by_hour"].values()) == 3
    assert sum(stats["served_by_hour"].values()) == 2


def test_csv_columns_and_values(server: ServerProcess) -> None:
    admin = scripted_day(server)
    r = admin.get("/api/stats.csv", params={"by": "services"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert list(rows[0])[:10] == [
        "date", "id", "name", "issued", "served", "no_shows", "transferred_out", "cancelled", "recalls",
        "service_level",
    ]  # fmt: skip
    ktp = next(row for row in rows if row["id"] == "ktp-el")
    assert (ktp["name"], ktp["issued"], ktp["served"], ktp["no_shows"], ktp["wait_count"]) == (
        "Perekaman KTP-el", "2", "1", "1", "2",
    )  # fmt: skip
    counters = list(csv.DictReader(io.StringIO(admin.get("/api/stats.csv", params={"by": "counters"}).text)))
    assert {"open_min", "busy_min", "idle_min", "paused_min"} <= set(counters[0])
    assert [row["id"] for row in counters] == ["loket-1", "loket-2", "loket-3"]


def test_stats_are_for_managers_and_bad_dates_are_explained(server: ServerProcess) -> None:
    assert httpx.get(f"{server.base_url}/api/stats").status_code == 401
    display = httpx.get(f"{server.base_url}/api/stats", headers={"Authorization": f"Bearer {DISPLAY_TOKEN}"})
    assert display.status_code == 403
    clerk = login(httpx.Client(base_url=server.base_url), "loket1")
    assert clerk.get("/api/stats").status_code == 403
    manager = login(httpx.Client(base_url=server.base_url), "manajer")
    bad = manager.get("/api/stats", params={"date": "22/11/2026"})
    assert bad.status_code == 422 and "YYYY-MM-DD" in bad.json()["detail"]
    assert manager.get("/api/stats", params={"date": "2999-01-01"}).status_code == 422
    assert manager.get("/api/stats.csv", params={"by": "moods"}).status_code == 422
    empty = manager.get("/api/stats", params={"date": "2020-01-06"}).json()
    assert empty["date"] == "2020-01-06" and all(r["issued"] == 0 for r in empty["services"])


def test_a_date_range_and_the_excel_workbook(server: ServerProcess) -> None:
    admin = scripted_day(server)
    today = admin.get("/api/stats").json()["date"]
    start = (date.fromisoformat(today) - timedelta(days=3)).isoformat()
    ranged = admin.get("/api/stats", params={"from": start, "to": today}).json()
    assert (ranged["date"], ranged["to"]) == (start, today)
    services = {r["id"]: r for r in ranged["services"]}
    assert (services["ktp-el"]["issued"], services["ktp-el"]["served"]) == (2, 1), "earlier days are empty"
    rows = list(csv.DictReader(io.StringIO(admin.get("/api/stats.csv", params={"from": start, "to": today}).text)))
    assert rows[0]["date"] == f"{start}..{today}"
    for bad in ({"from": today, "to": start}, {"from": "2020-01-01", "to": today}, {"date": today, "from": today}):
        r = admin.get("/api/stats", params=bad)
        assert r.status_code == 422 and r.json()["detail"], bad
    book = admin.get("/api/stats.xlsx", params={"from": start, "to": today})
    assert book.status_code == 200 and book.content.startswith(b"PK")
    workbook = openpyxl.load_workbook(io.BytesIO(book.content))
    assert workbook.sheetnames == ["Layanan", "Instansi", "Loket", "Petugas"]
    sheet = workbook["Layanan"]
    header = [c.value for c in sheet[1]]
    ktp = next(row for row in sheet.iter_rows(min_row=2, values_only=True) if row[1] == "ktp-el")
    assert (ktp[header.index("issued")], ktp[header.index("served")]) == (2, 1)
