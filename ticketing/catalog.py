"""The mall as the domain sees it: site, agencies, queues, services, counters, devices.

Built and validated by `config.loader`; immutable once built.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import msgspec

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
PRIORITY_CLASSES = ("elderly", "disabled", "pregnant_or_child")


class Interval(msgspec.Struct, frozen=True):
    """Open span of a day in minutes since local midnight, end exclusive (1440 = midnight)."""

    start: int
    end: int

    def contains(self, minute: int) -> bool:
        return self.start <= minute < self.end


class Site(msgspec.Struct, frozen=True):
    name: str
    timezone: str
    languages: tuple[str, ...]
    hours: tuple[tuple[Interval, ...], ...]  # index 0 = Monday, like date.weekday()
    closed_dates: frozenset[date]
    public_base_url: str
    recall_limit: int
    priority_max_in_row: int
    service_minutes: float
    recent_calls: int

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class Agency(msgspec.Struct, frozen=True):
    id: str
    name: str
    short_name: str
    prefix: str
    colour: str
    icon: str


class Queue(msgspec.Struct, frozen=True):
    id: str
    agency_id: str
    prefix: str
    name: str


class Service(msgspec.Struct, frozen=True):
    id: str
    agency_id: str
    queue_id: str
    name: str
    name_en: str
    target_wait_minutes: int
    daily_quota: int | None
    service_minutes: float


class Counter(msgspec.Struct, frozen=True):
    id: str
    label: str
    number: int
    agency_id: str
    # Tiers in the configured order; queues inside one tier are served longest wait first.
    queue_tiers: tuple[tuple[str, ...], ...]

    @property
    def queue_ids(self) -> tuple[str, ...]:
        return tuple(q for tier in self.queue_tiers for q in tier)


class Kiosk(msgspec.Struct, frozen=True):
    id: str
    name: str
    agency_ids: tuple[str, ...]  # empty: every agency
    printer_id: str | None = None  # its ticket printer; None: tickets on screen only


class Display(msgspec.Struct, frozen=True):
    id: str
    name: str
    agency_ids: tuple[str, ...]  # empty: every agency
    counter_ids: tuple[str, ...]  # empty: every counter of those agencies
    languages: tuple[str, ...]
    announce_style: str = "digits"  # "digits" ("nol nol satu") or "words" ("seratus dua puluh tiga")
    announce_repeat: int = 2  # times each call is said
    announce_english: bool = False  # each call said in English too, after Indonesian
    ticker: str = ""  # running text along the bottom of the screen


class Mall(msgspec.Struct, frozen=True):
    id: str
    site: Site
    agencies: dict[str, Agency]
    queues: dict[str, Queue]
    services: dict[str, Service]
    counters: dict[str, Counter]
    kiosks: dict[str, Kiosk]
    displays: dict[str, Display]

    def service_day(self, now: datetime) -> date:
        """The local calendar date of `now` (UTC): numbering restarts when it changes."""
        return now.astimezone(self.site.tz).date()

    def local(self, now: datetime) -> datetime:
        return now.astimezone(self.site.tz)

    def is_open(self, now: datetime) -> bool:
        local = self.local(now)
        if local.date() in self.site.closed_dates:
            return False
        minute = local.hour * 60 + local.minute
        return any(iv.contains(minute) for iv in self.site.hours[local.weekday()])

    def closing_time(self, now: datetime) -> datetime | None:
        """End of the open interval containing `now`, in UTC; None when closed."""
        local = self.local(now)
        if not self.is_open(now):
            return None
        minute = local.hour * 60 + local.minute
        for iv in self.site.hours[local.weekday()]:
            if iv.contains(minute):
                midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
                return (midnight + timedelta(minutes=iv.end)).astimezone(now.tzinfo)
        return None  # pragma: no cover - is_open said one contains it

    def counters_serving(self, queue_id: str) -> list[Counter]:
        return [c for c in self.counters.values() if queue_id in c.queue_ids]

    def kiosk_agencies(self, kiosk_id: str | None) -> list[Agency]:
        kiosk = self.kiosks.get(kiosk_id) if kiosk_id else None
        if kiosk is None or not kiosk.agency_ids:
            return list(self.agencies.values())
        return [self.agencies[a] for a in kiosk.agency_ids]
