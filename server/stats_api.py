"""`GET /api/stats?date=` and its CSV: a day's figures for managers and a district dashboard."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, time, timedelta
from typing import Annotated, Any

import msgspec
from litestar import Controller, Response, get
from litestar.di import Provide
from litestar.params import Parameter
from openpyxl import Workbook

from server import auth
from server.auth import Principal
from server.floor import Floor
from ticketing.catalog import Mall
from ticketing.errors import Invalid
from ticketing.stats import DayStats, Figures, Tally, day_stats, figures, merge

GROUPS = ("services", "agencies", "counters", "staff")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class Row(msgspec.Struct):
    id: str
    name: str
    issued: int
    served: int
    no_shows: int
    transferred_out: int
    cancelled: int
    recalls: int
    service_level: float | None
    wait_minutes: Figures
    service_minutes: Figures
    open_minutes: float | None = None  # counters only
    busy_minutes: float | None = None
    idle_minutes: float | None = None
    paused_minutes: float | None = None


class StatsView(msgspec.Struct):
    mall_id: str
    date: str  # the first day
    to: str  # the last day (the same for one day)
    services: list[Row]
    agencies: list[Row]
    counters: list[Row]
    staff: list[Row]
    arrivals_by_hour: dict[int, int]
    served_by_hour: dict[int, int]


def _row(key: str, name: str, t: Tally) -> Row:
    return Row(
        id=key,
        name=name,
        issued=t.issued,
        served=t.served,
        no_shows=t.no_shows,
        transferred_out=t.transferred_out,
        cancelled=t.cancelled,
        recalls=t.recalls,
        service_level=t.service_level,
        wait_minutes=figures(t.waits),
        service_minutes=figures(t.service_times),
    )


def stats_view(mall: Mall, stats: DayStats, day: date, last: date | None = None) -> StatsView:
    counters = []
    for key, tally in stats.counters.items():
        row = _row(key, mall.counters[key].label, tally)
        ct = stats.counter_time[key]
        row.open_minutes, row.busy_minutes, row.idle_minutes, row.paused_minutes = (
            round(ct.open, 2),
            round(ct.busy, 2),
            ct.idle,
            round(ct.paused, 2),
        )
        counters.append(row)
    return StatsView(
        mall_id=mall.id,
        date=day.isoformat(),
        to=(last or day).isoformat(),
        services=[_row(k, mall.services[k].name, t) for k, t in stats.services.items()],
        agencies=[_row(k, mall.agencies[k].short_name, t) for k, t in stats.agencies.items()],
        counters=counters,
        staff=[_row(k, k.removeprefix("staff:"), t) for k, t in sorted(stats.staff.items())],
        arrivals_by_hour=dict(sorted(stats.arrivals_by_hour.items())),
        served_by_hour=dict(sorted(stats.served_by_hour.items())),
    )


MAX_RANGE_DAYS = 93


def _day(floor: Floor, raw: str | None, name: str = "date") -> date:
    today = floor.state.day
    if raw is None:
        return today
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        raise Invalid(f"{name}={raw!r} is not a date: write it as YYYY-MM-DD, e.g. {today.isoformat()}.") from None
    if day > today:
        raise Invalid(f"{day.isoformat()} has not happened yet: the mall's day today is {today.isoformat()}.")
    return day


def _range(floor: Floor, day: str | None, first: str | None, last: str | None) -> tuple[date, date]:
    if day is not None and (first or last):
        raise Invalid("Give either date=, or from= and to=, not both.")
    if day is not None or not (first or last):
        one = _day(floor, day)
        return one, one
    start, end = _day(floor, first or last, "from"), _day(floor, last, "to")
    if end < start:
        raise Invalid(f"to={end.isoformat()} is before from={start.isoformat()}: swap them.")
    if (end - start).days + 1 > MAX_RANGE_DAYS:
        raise Invalid(f"A report covers at most {MAX_RANGE_DAYS} days: choose a shorter range.")
    return start, end


async def _day_stats(floor: Floor, day: date) -> DayStats:
    if day == floor.state.day:
        return day_stats(floor.mall, floor.today, floor.clock())
    # A past day, from the journal (never deleted); open intervals end at its local midnight.
    until = datetime.combine(day + timedelta(days=1), time(0), tzinfo=floor.mall.site.tz)
    return day_stats(floor.mall, await floor.journal.read(day), until)


async def _compute(floor: Floor, first: date, last: date) -> StatsView:
    days = [await _day_stats(floor, first + timedelta(days=n)) for n in range((last - first).days + 1)]
    return stats_view(floor.mall, days[0] if len(days) == 1 else merge(days), first, last)


async def provide_report(
    floor: Floor,
    principal: Principal,
    date: str | None = None,
    from_: Annotated[str | None, Parameter(query="from")] = None,
    to: str | None = None,
) -> StatsView:
    """The figures a request asks for (date=, or from= and to=), for managers and admins."""
    auth.require_role(principal, "manager", "admin")
    return await _compute(floor, *_range(floor, date, from_, to))


class StatsController(Controller):
    path = "/api"
    tags = ("managers",)
    dependencies = {"report": Provide(provide_report)}  # noqa: RUF012 - Litestar's own declaration style

    @get(
        "/stats",
        summary="A day's (date=) or a range's (from=, to=) figures, for managers and admins",
    )
    async def stats(self, report: StatsView) -> StatsView:
        return report

    @get(
        "/stats.csv",
        media_type="text/csv",
        summary="The same figures as CSV, one row per service, agency, counter or staff member",
    )
    async def stats_csv(self, report: StatsView, by: str = "services") -> Response[str]:
        if by not in GROUPS:
            raise Invalid(f"by={by!r}: use one of {', '.join(GROUPS)}.")
        buffer = io.StringIO()
        csv.writer(buffer).writerows(_table(report, by))
        return Response(
            buffer.getvalue(),
            media_type="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{_filename(report, by)}.csv"'},
        )

    @get(
        "/stats.xlsx",
        media_type=XLSX,
        summary="The figures as an Excel workbook: a sheet each for services, agencies, counters and staff",
    )
    async def stats_xlsx(self, report: StatsView) -> Response[bytes]:
        book = Workbook()
        book.remove(book.active)
        for group, title in zip(GROUPS, ("Layanan", "Instansi", "Loket", "Petugas"), strict=True):
            sheet = book.create_sheet(title)
            for line in _table(report, group):
                sheet.append(line)
            sheet.freeze_panes = "A2"
        buffer = io.BytesIO()
        book.save(buffer)
        return Response(
            buffer.getvalue(),
            media_type=XLSX,
            headers={"Content-Disposition": f'attachment; filename="{_filename(report, "report")}.xlsx"'},
        )


def _days(view: StatsView) -> str:
    return view.date if view.date == view.to else f"{view.date}..{view.to}"


def _filename(view: StatsView, what: str) -> str:
    return f"antrian-{view.mall_id}-{_days(view)}-{what}"


def _table(view: StatsView, by: str) -> list[list[Any]]:
    """A header row and one row per item: what the CSV and every XLSX sheet hold."""
    rows: list[Row] = getattr(view, by)
    header = [
        "date", "id", "name", "issued", "served", "no_shows", "transferred_out", "cancelled", "recalls",
        "service_level", "wait_count", "wait_mean_min", "wait_median_min", "wait_p90_min", "wait_max_min",
        "service_count", "service_mean_min", "service_median_min", "service_p90_min", "service_max_min",
    ]  # fmt: skip
    if by == "counters":
        header += ["open_min", "busy_min", "idle_min", "paused_min"]
    out: list[list[Any]] = [header]
    for r in rows:
        line: list[Any] = [_days(view), r.id, r.name, r.issued, r.served, r.no_shows, r.transferred_out]
        line += [r.cancelled, r.recalls, "" if r.service_level is None else r.service_level]
        for f in (r.wait_minutes, r.service_minutes):
            line += [f.count, *("" if v is None else v for v in (f.mean, f.median, f.p90, f.max))]
        if by == "counters":
            line += [r.open_minutes, r.busy_minutes, r.idle_minutes, r.paused_minutes]
        out.append(line)
    return out
