"""`GET /api/stats?date=` and its CSV: a day's figures for managers and a district dashboard."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, time, timedelta
from typing import Any

import msgspec
from litestar import Controller, Response, get

from server import auth
from server.auth import Principal
from server.floor import Floor
from ticketing.catalog import Mall
from ticketing.errors import Invalid
from ticketing.stats import DayStats, Figures, Tally, day_stats, figures

GROUPS = ("services", "agencies", "counters", "staff")


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
    date: str
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


def stats_view(mall: Mall, stats: DayStats, day: date) -> StatsView:
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
        services=[_row(k, mall.services[k].name, t) for k, t in stats.services.items()],
        agencies=[_row(k, mall.agencies[k].short_name, t) for k, t in stats.agencies.items()],
        counters=counters,
        staff=[_row(k, k.removeprefix("staff:"), t) for k, t in sorted(stats.staff.items())],
        arrivals_by_hour=dict(sorted(stats.arrivals_by_hour.items())),
        served_by_hour=dict(sorted(stats.served_by_hour.items())),
    )


def _day(floor: Floor, raw: str | None) -> date:
    today = floor.state.day
    if raw is None:
        return today
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        raise Invalid(f"date={raw!r} is not a date: write it as YYYY-MM-DD, e.g. {today.isoformat()}.") from None
    if day > today:
        raise Invalid(f"{day.isoformat()} has not happened yet: the mall's day today is {today.isoformat()}.")
    return day


async def _compute(floor: Floor, day: date) -> StatsView:
    records = floor.today if day == floor.state.day else await floor.journal.read(day)
    if day == floor.state.day:
        until = floor.clock()
    else:  # a past day: open intervals end at its local midnight
        tz = floor.mall.site.tz
        until = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)
    return stats_view(floor.mall, day_stats(floor.mall, records, until), day)


class StatsController(Controller):
    path = "/api"
    tags = ("managers",)

    @get("/stats", summary="A day's figures (managers and admins): per service, agency, counter and staff member")
    async def stats(self, floor: Floor, principal: Principal, date: str | None = None) -> StatsView:
        auth.require_role(principal, "manager", "admin")
        return await _compute(floor, _day(floor, date))

    @get(
        "/stats.csv",
        media_type="text/csv",
        summary="The same figures as CSV, one row per service, agency, counter or staff member",
    )
    async def stats_csv(
        self, floor: Floor, principal: Principal, date: str | None = None, by: str = "services"
    ) -> Response[str]:
        auth.require_role(principal, "manager", "admin")
        if by not in GROUPS:
            raise Invalid(f"by={by!r}: use one of {', '.join(GROUPS)}.")
        view = await _compute(floor, _day(floor, date))
        rows: list[Row] = getattr(view, by)
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        header = [
            "date", "id", "name", "issued", "served", "no_shows", "transferred_out", "cancelled", "recalls",
            "service_level", "wait_count", "wait_mean_min", "wait_median_min", "wait_p90_min", "wait_max_min",
            "service_count", "service_mean_min", "service_median_min", "service_p90_min", "service_max_min",
        ]  # fmt: skip
        if by == "counters":
            header += ["open_min", "busy_min", "idle_min", "paused_min"]
        writer.writerow(header)
        for r in rows:
            line: list[Any] = [view.date, r.id, r.name, r.issued, r.served, r.no_shows, r.transferred_out]
            line += [r.cancelled, r.recalls, "" if r.service_level is None else r.service_level]
            for f in (r.wait_minutes, r.service_minutes):
                line += [f.count, *("" if v is None else v for v in (f.mean, f.median, f.p90, f.max))]
            if by == "counters":
                line += [r.open_minutes, r.busy_minutes, r.idle_minutes, r.paused_minutes]
            writer.writerow(line)
        filename = f"antrian-{view.mall_id}-{view.date}-{by}.csv"
        return Response(
            buffer.getvalue(),
            media_type="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )
