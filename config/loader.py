"""Read a mall's TOML file, validate it, and build the domain's `Mall`.

Every failure is a `ConfigError` naming the file, the key and the fix.
"""

from __future__ import annotations

import itertools
import re
import tomllib
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import msgspec
from escpos.capabilities import CAPABILITIES

from config.access import (
    ROLES,
    Access,
    DeviceAccess,
    StaffAccount,
    demo_token,
    is_demo_hash,
    parse_hash,
    token_digest,
)
from printers.model import CONNECTIONS, DEFAULT_TIMEOUT_S, PAPER_WIDTHS, PROFILE_ALIASES, PrinterConfig
from ticketing.catalog import (
    WEEKDAYS,
    Agency,
    Counter,
    Display,
    Interval,
    Kiosk,
    Mall,
    Queue,
    Service,
    Site,
)

CONFIG_DIR = Path(__file__).resolve().parent
DEMO_CONFIG = CONFIG_DIR / "demo.toml"

ESCPOS_PROFILES = frozenset(CAPABILITIES["profiles"])
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,47}$")
_PREFIX = re.compile(r"^[A-Z]{1,2}$")
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
_SPAN = re.compile(r"^(\d{2}):(\d{2})-(\d{2}):(\d{2})$")
ANNOUNCE_STYLES = ("digits", "words")
MAX_ANNOUNCE_REPEAT = 3
MAX_TICKER = 1000


class ConfigError(Exception):
    def __init__(self, file: Path | str, key: str, problem: str, fix: str) -> None:
        self.file, self.key, self.problem, self.fix = str(file), key, problem, fix
        super().__init__(f"{file}: {key}: {problem}. Fix: {fix}")


# --- the TOML shape (what a person writes) -----------------------------------


class _Raw(msgspec.Struct, forbid_unknown_fields=True):
    pass


class RawHours(_Raw):
    mon: list[str] = []
    tue: list[str] = []
    wed: list[str] = []
    thu: list[str] = []
    fri: list[str] = []
    sat: list[str] = []
    sun: list[str] = []


class RawSite(_Raw):
    name: str
    hours: RawHours
    id: str = "mall"
    timezone: str = "Asia/Jakarta"
    languages: list[str] = msgspec.field(default_factory=lambda: ["id"])
    closed_dates: list[date] = []
    public_base_url: str = ""  # empty: the server fills in its own address
    recall_limit: int = 3
    priority_max_in_row: int = 3
    service_minutes: float = 8.0
    recent_calls: int = 8
    demo: bool = False  # true: the published demo passwords and tokens are allowed
    session_hours: float = 12.0
    kiosk_tickets_per_minute: int = 20
    frame_ancestors: list[str] = []
    retention_days: float = 30.0


class RawAgency(_Raw):
    id: str
    name: str
    prefix: str
    short_name: str = ""
    colour: str = "#1565c0"
    icon: str = ""


class RawQueue(_Raw):
    id: str
    agency: str
    prefix: str
    name: str = ""


class RawService(_Raw):
    id: str
    agency: str
    name: str
    name_en: str = ""
    queue: str = ""
    target_wait_minutes: int = 30
    daily_quota: int | None = None
    service_minutes: float | None = None


class RawCounter(_Raw):
    id: str
    label: str
    agency: str
    queues: list[str | list[str]]
    number: int | None = None


class RawPrinter(_Raw):
    id: str
    connection: str
    profile: str = "default"
    paper_mm: int = 80
    host: str = ""
    port: int = 9100
    vendor_id: int = 0
    product_id: int = 0
    device: str = ""
    baudrate: int = 9600
    queue: str = ""
    timeout_s: float = DEFAULT_TIMEOUT_S
    logo: str = ""


class RawKiosk(_Raw):
    id: str
    name: str = ""
    agencies: list[str] = []
    printer: str = ""
    token_sha256: str = ""
    revoked: bool = False


class RawDisplay(_Raw):
    id: str
    name: str = ""
    agencies: list[str] = []
    counters: list[str] = []
    languages: list[str] = []
    token_sha256: str = ""
    revoked: bool = False
    announce_style: str = "digits"  # "digits": "nol nol satu"; "words": "seratus dua puluh tiga"
    announce_repeat: int = 2  # times each call is said, 1-3
    announce_english: bool = False  # say each call in English too, after Indonesian
    ticker: str = ""  # running text along the bottom of the screen


class RawStaff(_Raw):
    username: str
    role: str
    password_hash: str
    name: str = ""
    agency: str = ""
    counters: list[str] = []


class RawMall(_Raw):
    site: RawSite
    agencies: list[RawAgency]
    services: list[RawService]
    counters: list[RawCounter]
    queues: list[RawQueue] = []
    kiosks: list[RawKiosk] = []
    displays: list[RawDisplay] = []
    staff: list[RawStaff] = []
    printers: list[RawPrinter] = []


# --- loading ------------------------------------------------------------------


def load_mall(path: Path | str) -> Mall:
    return load_config(path).mall


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(path, "(file)", "no such file", "check ANTRIAN_CONFIG or the path given") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(path, "(file)", f"cannot read it ({exc})", "make it a readable UTF-8 TOML file") from None


class Loaded(msgspec.Struct, frozen=True):
    mall: Mall
    access: Access
    printers: dict[str, PrinterConfig]


def load_config(path: Path | str) -> Loaded:
    path = Path(path)
    return parse_config(_read(path), path)


def parse_mall(text: str, path: Path | str = "<config>") -> Mall:
    return parse_config(text, path).mall


def parse_config(text: str, path: Path | str = "<config>") -> Loaded:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(path, "(syntax)", f"not valid TOML: {exc}", "correct the TOML syntax at that line") from None
    try:
        raw = msgspec.convert(data, RawMall)
    except msgspec.ValidationError as exc:
        raise _shape_error(path, str(exc)) from None
    builder = _Builder(path, raw)
    printers = builder.printers()
    mall = builder.build(printers)
    return Loaded(mall, builder.access(mall), printers)


def _shape_error(path: Path | str, message: str) -> ConfigError:
    # msgspec says e.g. "Expected `int`, got `str` - at `$.services[3].daily_quota`"
    problem, _, where = message.partition(" - at ")
    key = where.strip("`").removeprefix("$.").removeprefix("$") or "(top level)"
    if problem.startswith("Object contains unknown field"):
        field = problem.split("`")[1]
        key = f"{key}.{field}" if key != "(top level)" else field
        return ConfigError(path, key, "unknown key", "remove it or correct its spelling (see config/README.md)")
    if problem.startswith("Object missing required field"):
        field = problem.split("`")[1]
        key = f"{key}.{field}" if key != "(top level)" else field
        return ConfigError(path, key, "required key is missing", "add it (see config/README.md)")
    return ConfigError(path, key, problem, "give a value of the expected type (see config/README.md)")


class _Builder:
    def __init__(self, path: Path | str, raw: RawMall) -> None:
        self.path, self.raw = path, raw

    def fail(self, key: str, problem: str, fix: str) -> ConfigError:
        return ConfigError(self.path, key, problem, fix)

    def printers(self) -> dict[str, PrinterConfig]:
        self._unique_ids("printers", [p.id for p in self.raw.printers])
        out: dict[str, PrinterConfig] = {}
        for i, p in enumerate(self.raw.printers):
            key = f"printers[{i}]"
            if p.connection not in CONNECTIONS:
                raise self.fail(
                    f"{key}.connection", f"unknown connection {p.connection!r}", f"use one of {', '.join(CONNECTIONS)}"
                )
            if p.paper_mm not in PAPER_WIDTHS:
                raise self.fail(f"{key}.paper_mm", f"{p.paper_mm} mm paper is not supported", "use 58 or 80")
            profile = PROFILE_ALIASES.get(p.profile, p.profile)
            if profile not in ESCPOS_PROFILES:
                known = ", ".join(sorted(set(ESCPOS_PROFILES) | set(PROFILE_ALIASES)))
                raise self.fail(f"{key}.profile", f"unknown printer profile {p.profile!r}", f"use one of: {known}")
            needs = {
                "network": ("host", p.host),
                "serial": ("device", p.device),
                "file": ("device", p.device),
                "cups": ("queue", p.queue),
            }
            if p.connection in needs and not needs[p.connection][1]:
                field = needs[p.connection][0]
                raise self.fail(f"{key}.{field}", f"a {p.connection} printer needs its {field}", f'add {field} = "..."')
            if p.connection == "usb" and not (p.vendor_id and p.product_id):
                raise self.fail(
                    f"{key}.vendor_id",
                    "a usb printer needs vendor_id and product_id",
                    "see lsusb, e.g. vendor_id = 0x04b8",
                )
            if not 0 < p.port < 65536:
                raise self.fail(f"{key}.port", f"{p.port} is not a port", "use 9100 (the usual raw printing port)")
            if not 0.2 <= p.timeout_s <= 30:
                raise self.fail(
                    f"{key}.timeout_s", f"{p.timeout_s} s is out of range", "use 0.2 to 30 seconds; 3 is usual"
                )
            logo = ""
            if p.logo:
                logo_path = (Path(self.path).parent / p.logo).resolve()
                if not logo_path.is_file():
                    raise self.fail(
                        f"{key}.logo",
                        f"no image at {logo_path}",
                        "give a PNG path relative to this file, or remove logo",
                    )
                logo = str(logo_path)
            out[p.id] = PrinterConfig(
                id=p.id,
                connection=p.connection,
                profile=p.profile,
                paper_mm=p.paper_mm,
                host=p.host,
                port=p.port,
                vendor_id=p.vendor_id,
                product_id=p.product_id,
                device=p.device,
                baudrate=p.baudrate,
                queue=p.queue,
                timeout_s=p.timeout_s,
                logo=logo,
            )
        return out

    def build(self, printers: Mapping[str, object]) -> Mall:
        site = self.site()
        agencies = self.agencies()
        queues = self.queues(agencies)
        services = self.services(site, agencies, queues)
        counters = self.counters(agencies, queues)
        self.check_every_queue_served(queues, services, counters)
        kiosks = self.kiosks(agencies, printers)
        displays = self.displays(site, agencies, counters)
        if not self._ident(self.raw.site.id):
            raise self.fail(
                "site.id", f"{self.raw.site.id!r} is not a valid id", "use lowercase letters, digits, - or _"
            )
        return Mall(
            id=self.raw.site.id,
            site=site,
            agencies=agencies,
            queues=queues,
            services=services,
            counters=counters,
            kiosks=kiosks,
            displays=displays,
        )

    @staticmethod
    def _ident(value: str) -> bool:
        return bool(_ID.match(value))

    def _unique_ids(self, section: str, ids: list[str]) -> None:
        seen: set[str] = set()
        for i, ident in enumerate(ids):
            if not self._ident(ident):
                raise self.fail(
                    f"{section}[{i}].id",
                    f"{ident!r} is not a valid id",
                    "use 1-48 lowercase letters, digits, - or _, starting with a letter or digit",
                )
            if ident in seen:
                raise self.fail(f"{section}[{i}].id", f"duplicate id {ident!r}", "give each entry its own id")
            seen.add(ident)

    def site(self) -> Site:
        s = self.raw.site
        try:
            ZoneInfo(s.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise self.fail(
                "site.timezone",
                f"unknown time zone {s.timezone!r}",
                "use an IANA name such as Asia/Jakarta, Asia/Makassar or Asia/Jayapura",
            ) from None
        hours = tuple(self._day_hours(day, getattr(s.hours, day)) for day in WEEKDAYS)
        for key, value, low in (
            ("recall_limit", s.recall_limit, 1),
            ("priority_max_in_row", s.priority_max_in_row, 1),
            ("recent_calls", s.recent_calls, 1),
        ):
            if value < low:
                raise self.fail(
                    f"site.{key}", f"must be at least {low}, got {value}", f"set site.{key} to {low} or more"
                )
        if s.service_minutes <= 0:
            raise self.fail(
                "site.service_minutes", "must be positive", "set the usual minutes one visitor takes, e.g. 8"
            )
        for i, lang in enumerate(s.languages):
            if lang not in ("id", "en"):
                raise self.fail(f"site.languages[{i}]", f"unsupported language {lang!r}", 'use "id" and/or "en"')
        if not s.languages:
            raise self.fail("site.languages", "no language given", 'use ["id"] or ["id", "en"]')
        return Site(
            name=s.name,
            timezone=s.timezone,
            languages=tuple(s.languages),
            hours=hours,
            closed_dates=frozenset(s.closed_dates),
            public_base_url=s.public_base_url.rstrip("/"),
            recall_limit=s.recall_limit,
            priority_max_in_row=s.priority_max_in_row,
            service_minutes=s.service_minutes,
            recent_calls=s.recent_calls,
        )

    def _day_hours(self, day: str, spans: list[str]) -> tuple[Interval, ...]:
        out: list[Interval] = []
        for i, span in enumerate(spans):
            key = f"site.hours.{day}[{i}]"
            m = _SPAN.match(span.strip())
            if not m:
                raise self.fail(key, f"{span!r} is not a time span", 'write it as "HH:MM-HH:MM", e.g. "07:30-12:00"')
            h1, m1, h2, m2 = (int(g) for g in m.groups())
            start, end = h1 * 60 + m1, h2 * 60 + m2
            if h1 > 23 or m1 > 59 or m2 > 59 or end > 24 * 60:
                raise self.fail(key, f"{span!r} is not a time of day", "use 00:00 to 24:00")
            if end <= start:
                raise self.fail(
                    key, f"{span!r} ends before it starts", "the end must be after the start (24:00 for midnight)"
                )
            out.append(Interval(start, end))
        out.sort(key=lambda iv: iv.start)
        for a, b in itertools.pairwise(out):
            if b.start < a.end:
                raise self.fail(
                    f"site.hours.{day}",
                    "opening hours overlap",
                    "make the spans not overlap; a break is the gap between two spans",
                )
        return tuple(out)

    def agencies(self) -> dict[str, Agency]:
        raws = self.raw.agencies
        if not raws:
            raise self.fail("agencies", "no agency defined", "add at least one [[agencies]] table")
        self._unique_ids("agencies", [a.id for a in raws])
        out: dict[str, Agency] = {}
        for i, a in enumerate(raws):
            if not _PREFIX.match(a.prefix):
                raise self.fail(
                    f"agencies[{i}].prefix",
                    f"{a.prefix!r} is not a ticket prefix",
                    "use one or two capital letters, e.g. A or PB",
                )
            if not _COLOUR.match(a.colour):
                raise self.fail(
                    f"agencies[{i}].colour", f"{a.colour!r} is not a colour", 'use "#rrggbb", e.g. "#0b6e4f"'
                )
            out[a.id] = Agency(a.id, a.name, a.short_name or a.name, a.prefix, a.colour, a.icon)
        return out

    def queues(self, agencies: dict[str, Agency]) -> dict[str, Queue]:
        # Every agency has a default queue named after it; [[queues]] adds more.
        out = {a.id: Queue(a.id, a.id, a.prefix, a.short_name) for a in agencies.values()}
        owner = {a.prefix: f"agencies[{i}] ({a.id})" for i, a in enumerate(self.raw.agencies)}
        if len(owner) != len(agencies):
            seen: dict[str, int] = {}
            for i, a in enumerate(self.raw.agencies):
                if a.prefix in seen:
                    raise self.fail(
                        f"agencies[{i}].prefix",
                        f"duplicate prefix {a.prefix!r}, already used by agencies[{seen[a.prefix]}]",
                        "give each agency and queue its own ticket prefix",
                    )
                seen[a.prefix] = i
        for i, q in enumerate(self.raw.queues):
            key = f"queues[{i}]"
            if not self._ident(q.id):
                raise self.fail(f"{key}.id", f"{q.id!r} is not a valid id", "use lowercase letters, digits, - or _")
            if q.id in out:
                raise self.fail(
                    f"{key}.id",
                    f"duplicate queue id {q.id!r} (agencies have a queue named after their id)",
                    "choose another id",
                )
            if q.agency not in agencies:
                raise self.fail(
                    f"{key}.agency", f"unknown agency {q.agency!r}", "use the id of an agency from [[agencies]]"
                )
            if not _PREFIX.match(q.prefix):
                raise self.fail(
                    f"{key}.prefix", f"{q.prefix!r} is not a ticket prefix", "use one or two capital letters"
                )
            if q.prefix in owner:
                raise self.fail(
                    f"{key}.prefix",
                    f"duplicate prefix {q.prefix!r}, already used by {owner[q.prefix]}",
                    "give each queue its own prefix",
                )
            owner[q.prefix] = key
            out[q.id] = Queue(q.id, q.agency, q.prefix, q.name or q.id)
        return out

    def services(self, site: Site, agencies: dict[str, Agency], queues: dict[str, Queue]) -> dict[str, Service]:
        raws = self.raw.services
        self._unique_ids("services", [s.id for s in raws])
        out: dict[str, Service] = {}
        for i, s in enumerate(raws):
            key = f"services[{i}]"
            if s.agency not in agencies:
                raise self.fail(
                    f"{key}.agency", f"unknown agency {s.agency!r}", "use the id of an agency from [[agencies]]"
                )
            queue_id = s.queue or s.agency
            if queue_id not in queues:
                raise self.fail(
                    f"{key}.queue", f"unknown queue {queue_id!r}", "use an agency id or a queue from [[queues]]"
                )
            if queues[queue_id].agency_id != s.agency:
                raise self.fail(
                    f"{key}.queue",
                    f"queue {queue_id!r} belongs to another agency",
                    "use a queue of the service's own agency",
                )
            if s.daily_quota is not None and s.daily_quota < 1:
                raise self.fail(
                    f"{key}.daily_quota", "must be at least 1", "remove it for no quota, or set a positive number"
                )
            if s.target_wait_minutes < 1:
                raise self.fail(
                    f"{key}.target_wait_minutes", "must be at least 1", "set the target waiting time in minutes"
                )
            minutes = s.service_minutes if s.service_minutes is not None else site.service_minutes
            if minutes <= 0:
                raise self.fail(f"{key}.service_minutes", "must be positive", "set the usual minutes one visitor takes")
            out[s.id] = Service(
                s.id, s.agency, queue_id, s.name, s.name_en or s.name, s.target_wait_minutes, s.daily_quota, minutes
            )
        if not out:
            raise self.fail("services", "no service defined", "add at least one [[services]] table")
        return out

    def counters(self, agencies: dict[str, Agency], queues: dict[str, Queue]) -> dict[str, Counter]:
        raws = self.raw.counters
        self._unique_ids("counters", [c.id for c in raws])
        out: dict[str, Counter] = {}
        numbers: dict[int, int] = {}
        for i, c in enumerate(raws):
            key = f"counters[{i}]"
            if c.agency not in agencies:
                raise self.fail(
                    f"{key}.agency", f"unknown agency {c.agency!r}", "use the id of an agency from [[agencies]]"
                )
            if not c.queues:
                raise self.fail(f"{key}.queues", "serves no queue", "list the queues this counter calls from, in order")
            tiers: list[tuple[str, ...]] = []
            seen: set[str] = set()
            for j, entry in enumerate(c.queues):
                tier = [entry] if isinstance(entry, str) else entry
                for k, q in enumerate(tier):
                    qkey = f"{key}.queues[{j}]" + ("" if isinstance(entry, str) else f"[{k}]")
                    if q not in queues:
                        raise self.fail(qkey, f"unknown queue {q!r}", "use an agency id or a queue id from [[queues]]")
                    if q in seen:
                        raise self.fail(qkey, f"queue {q!r} listed twice", "list each queue once")
                    seen.add(q)
                if not tier:
                    raise self.fail(f"{key}.queues[{j}]", "empty group", "remove the empty list")
                tiers.append(tuple(tier))
            number = c.number if c.number is not None else _trailing_number(c.label)
            if number is None:
                raise self.fail(
                    f"{key}.number",
                    f"no counter number in label {c.label!r}",
                    "add number = N (used when announcing the call)",
                )
            if number in numbers:
                raise self.fail(
                    f"{key}.number",
                    f"counter number {number} is already used by counters[{numbers[number]}]",
                    'give each counter its own number: calls announce it ("silakan menuju loket tiga")',
                )
            numbers[number] = i
            out[c.id] = Counter(c.id, c.label, number, c.agency, tuple(tiers))
        if not out:
            raise self.fail("counters", "no counter defined", "add at least one [[counters]] table")
        return out

    def check_every_queue_served(
        self, queues: dict[str, Queue], services: dict[str, Service], counters: dict[str, Counter]
    ) -> None:
        used = {s.queue_id for s in services.values()}
        served = {q for c in counters.values() for q in c.queue_ids}
        for queue_id in sorted(used - served):
            first = next(i for i, s in enumerate(self.raw.services) if (s.queue or s.agency) == queue_id)
            raise self.fail(
                f"services[{first}].queue",
                f"queue {queue_id!r} is served by no counter, so its tickets would never be called",
                f"add {queue_id!r} to the queues of a counter",
            )

    def kiosks(self, agencies: dict[str, Agency], printers: Mapping[str, object]) -> dict[str, Kiosk]:
        self._unique_ids("kiosks", [k.id for k in self.raw.kiosks])
        out: dict[str, Kiosk] = {}
        for i, k in enumerate(self.raw.kiosks):
            self._known(f"kiosks[{i}].agencies", k.agencies, agencies, "agency")
            if k.printer:
                self._known(f"kiosks[{i}].printer", [k.printer], printers, "printer")
            out[k.id] = Kiosk(k.id, k.name or k.id, tuple(k.agencies), k.printer or None)
        return out

    def displays(self, site: Site, agencies: dict[str, Agency], counters: dict[str, Counter]) -> dict[str, Display]:
        self._unique_ids("displays", [d.id for d in self.raw.displays])
        out: dict[str, Display] = {}
        for i, d in enumerate(self.raw.displays):
            self._known(f"displays[{i}].agencies", d.agencies, agencies, "agency")
            self._known(f"displays[{i}].counters", d.counters, counters, "counter")
            for j, lang in enumerate(d.languages):
                if lang not in site.languages:
                    raise self.fail(
                        f"displays[{i}].languages[{j}]",
                        f"{lang!r} is not among site.languages",
                        "add it to site.languages or remove it here",
                    )
            languages = tuple(d.languages or site.languages)
            self._announcements(i, d, languages)
            out[d.id] = Display(
                d.id,
                d.name or d.id,
                tuple(d.agencies),
                tuple(d.counters),
                languages,
                announce_style=d.announce_style,
                announce_repeat=d.announce_repeat,
                announce_english=d.announce_english,
                ticker=" ".join(d.ticker.split()),
            )
        return out

    def _announcements(self, i: int, d: RawDisplay, languages: tuple[str, ...]) -> None:
        key = f"displays[{i}]"
        if d.announce_style not in ANNOUNCE_STYLES:
            raise self.fail(
                f"{key}.announce_style",
                f"unknown announcement style {d.announce_style!r}",
                'use "digits" ("nol nol satu") or "words" ("seratus dua puluh tiga")',
            )
        if not 1 <= d.announce_repeat <= MAX_ANNOUNCE_REPEAT:
            raise self.fail(
                f"{key}.announce_repeat",
                f"{d.announce_repeat} is not between 1 and {MAX_ANNOUNCE_REPEAT}",
                f"say each call 1-{MAX_ANNOUNCE_REPEAT} times (2 is usual: the call and one repeat)",
            )
        if d.announce_english and "en" not in languages:
            raise self.fail(
                f"{key}.announce_english",
                "English announcements on a display without 'en' among its languages",
                "add 'en' to this display's languages (and to site.languages), or set announce_english = false",
            )
        if len(d.ticker) > MAX_TICKER:
            raise self.fail(
                f"{key}.ticker",
                f"the running text is {len(d.ticker)} characters long",
                f"keep it to {MAX_TICKER} characters: people read it in passing",
            )

    def access(self, mall: Mall) -> Access:
        demo = self.raw.site.demo
        published = "is the demo's published secret"
        keep_it_secret = "create a new one (see README: Real staff and devices), or set site.demo = true for a demo"
        staff: dict[str, StaffAccount] = {}
        for i, s in enumerate(self.raw.staff):
            key = f"staff[{i}]"
            if not _ID.match(s.username):
                raise self.fail(
                    f"{key}.username",
                    f"{s.username!r} is not a valid username",
                    "use lowercase letters, digits, - or _",
                )
            if s.username in staff:
                raise self.fail(
                    f"{key}.username", f"duplicate username {s.username!r}", "give each person their own account"
                )
            if s.role not in ROLES:
                raise self.fail(f"{key}.role", f"unknown role {s.role!r}", f"use one of {', '.join(ROLES)}")
            if parse_hash(s.password_hash) is None:
                raise self.fail(
                    f"{key}.password_hash", "not a password hash", "generate one with: python -m server hash-password"
                )
            if is_demo_hash(s.password_hash) and not demo:
                raise self.fail(f"{key}.password_hash", f"{published}", keep_it_secret)
            agency = s.agency or None
            if s.role in ("counter", "supervisor"):
                if agency is None:
                    raise self.fail(
                        f"{key}.agency", f"a {s.role} account needs an agency", 'add agency = "<agency id>"'
                    )
                self._known(f"{key}.agency", [agency], mall.agencies, "agency")
            elif agency is not None:
                raise self.fail(f"{key}.agency", f"a {s.role} works for every agency", "remove agency")
            if s.role == "counter":
                if not s.counters:
                    raise self.fail(
                        f"{key}.counters", "a counter account needs its counters", 'list them: counters = ["loket-01"]'
                    )
                self._known(f"{key}.counters", s.counters, mall.counters, "counter")
                for j, c in enumerate(s.counters):
                    if mall.counters[c].agency_id != agency:
                        raise self.fail(
                            f"{key}.counters[{j}]",
                            f"{c!r} belongs to another agency",
                            "list only counters of the account's agency",
                        )
            elif s.counters:
                raise self.fail(f"{key}.counters", f"a {s.role} is not tied to counters", "remove counters")
            staff[s.username] = StaffAccount(
                s.username, s.name or s.username, s.role, agency, tuple(s.counters), s.password_hash
            )
        devices: dict[str, DeviceAccess] = {}
        sections: list[tuple[str, str, Sequence[RawKiosk | RawDisplay]]] = [
            ("kiosk", "kiosks", self.raw.kiosks),
            ("display", "displays", self.raw.displays),
        ]
        for kind, section, entries in sections:
            for i, d in enumerate(entries):
                if not d.token_sha256:
                    continue
                key = f"{section}[{i}].token_sha256"
                if not re.fullmatch(r"[0-9a-f]{64}", d.token_sha256):
                    raise self.fail(
                        key, "not a SHA-256 digest", "generate a token and its digest with: python -m server new-token"
                    )
                if d.token_sha256 == token_digest(demo_token(kind, d.id)) and not demo:
                    raise self.fail(key, published, keep_it_secret)
                if d.token_sha256 in devices:
                    raise self.fail(key, "the same token as another device", "give each device its own token")
                devices[d.token_sha256] = DeviceAccess(kind, d.id, d.token_sha256, d.revoked)
        if self.raw.site.session_hours <= 0:
            raise self.fail("site.session_hours", "must be positive", "set how long a staff login lasts, e.g. 12")
        if self.raw.site.kiosk_tickets_per_minute < 1:
            raise self.fail(
                "site.kiosk_tickets_per_minute",
                "must be at least 1",
                "set how many tickets one kiosk may issue a minute, e.g. 20",
            )
        return Access(
            staff=staff,
            devices=devices,
            demo=demo,
            session_hours=self.raw.site.session_hours,
            kiosk_tickets_per_minute=self.raw.site.kiosk_tickets_per_minute,
            frame_ancestors=tuple(self._origins()),
            retention_days=self._retention(),
        )

    def _retention(self) -> float:
        days = self.raw.site.retention_days
        if not 0 < days <= 3650:
            raise self.fail("site.retention_days", f"{days} is out of range", "keep personal data 1-3650 days, e.g. 30")
        return days

    def _origins(self) -> list[str]:
        for i, origin in enumerate(self.raw.site.frame_ancestors):
            if not re.fullmatch(r"https?://[A-Za-z0-9.-]+(:\d+)?", origin):
                raise self.fail(
                    f"site.frame_ancestors[{i}]", f"{origin!r} is not an origin", 'write it as "https://host[:port]"'
                )
        return self.raw.site.frame_ancestors

    def _known(self, key: str, ids: list[str], known: Mapping[str, object], what: str) -> None:
        for j, ident in enumerate(ids):
            if ident not in known:
                raise self.fail(
                    f"{key}[{j}]",
                    f"unknown {what} {ident!r}",
                    f"use the id of an {what} defined in this file"
                    if what[0] in "aeiou"
                    else f"use the id of a {what} defined in this file",
                )


def _trailing_number(label: str) -> int | None:
    m = re.search(r"(\d+)\s*$", label)
    return int(m.group(1)) if m else None
