"""The shipped mall files load and mean what they say; every validation error names file, key and fix."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from config.loader import CONFIG_DIR, DEMO_CONFIG, ConfigError, load_mall, parse_mall
from ticketing.catalog import Mall

WIB = ZoneInfo("Asia/Jakarta")
SAMPLE_CONFIG = CONFIG_DIR / "sample-mall.toml"


def wib(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=WIB)


@pytest.fixture(scope="module")
def demo() -> Mall:
    return load_mall(DEMO_CONFIG)


@pytest.fixture(scope="module")
def sample() -> Mall:
    return load_mall(SAMPLE_CONFIG)


# --- the demo mall ------------------------------------------------------------


def test_demo_is_the_default_config_and_is_big_enough(demo: Mall) -> None:
    assert DEMO_CONFIG.name == "demo.toml"
    assert demo.id == "demo"
    assert demo.site.timezone == "Asia/Jakarta"
    assert demo.site.languages == ("id", "en")
    assert len(demo.agencies) >= 20
    assert len(demo.services) >= 150
    assert len(demo.counters) >= 40
    assert len(demo.kiosks) == 3
    assert len(demo.displays) == 3


def test_demo_every_queue_is_served_by_a_counter(demo: Mall) -> None:
    for queue_id in demo.queues:
        assert demo.counters_serving(queue_id), f"queue {queue_id!r} has no counter"
    assert {s.queue_id for s in demo.services.values()} == set(demo.queues), "every queue has a service"


def test_demo_prefixes_are_distinct_and_services_translated(demo: Mall) -> None:
    prefixes = [q.prefix for q in demo.queues.values()]
    assert len(prefixes) == len(set(prefixes))
    assert len({a.colour for a in demo.agencies.values()}) == len(demo.agencies)
    assert all(a.icon for a in demo.agencies.values())
    assert all(s.name_en != s.name for s in demo.services.values())


def test_demo_has_a_counter_with_an_equal_rank_group(demo: Mall) -> None:
    assert any(len(tier) > 1 for c in demo.counters.values() for tier in c.queue_tiers)
    assert any(len(c.queue_ids) > 1 for c in demo.counters.values())


@pytest.mark.parametrize(
    "instant",
    [
        wib(2026, 11, 22, 3, 0),  # Sunday 03:00
        wib(2026, 11, 23, 0, 0),  # Monday, midnight
        wib(2026, 11, 25, 12, 30),  # Wednesday, in the sample's break
        wib(2026, 11, 27, 23, 59),  # Friday, last minute of the day
        wib(2026, 11, 28, 19, 0),  # Saturday evening
        wib(2026, 12, 25, 9, 0),  # Christmas: the demo never closes
        datetime(2027, 1, 1, 17, 0, tzinfo=ZoneInfo("UTC")),  # 00:00 WIB on 2 January
    ],
)
def test_demo_is_always_open(demo: Mall, instant: datetime) -> None:
    assert demo.is_open(instant)


def test_demo_quotas_never_block_a_demo_user(demo: Mall) -> None:
    quotas = [s.daily_quota for s in demo.services.values() if s.daily_quota is not None]
    assert quotas, "a few quotas make the quota display visible"
    assert min(quotas) >= 999


# --- the sample mall ----------------------------------------------------------


def test_sample_loads(sample: Mall) -> None:
    assert sample.id == "sample"
    assert sample.site.timezone == "Asia/Jakarta"


@pytest.mark.parametrize(
    ("instant", "is_open"),
    [
        (wib(2026, 11, 22, 9, 0), False),  # Sunday
        (wib(2026, 11, 22, 3, 0), False),  # Sunday night
        (wib(2026, 11, 23, 7, 29), False),  # Monday, before opening
        (wib(2026, 11, 23, 7, 30), True),  # Monday, opening
        (wib(2026, 11, 23, 11, 59), True),  # Monday, before the break
        (wib(2026, 11, 23, 12, 30), False),  # Monday, break 12:00-13:00
        (wib(2026, 11, 23, 13, 0), True),  # Monday, after the break
        (wib(2026, 11, 23, 15, 30), False),  # Monday, closing
        (wib(2026, 11, 27, 11, 0), True),  # Friday morning
        (wib(2026, 11, 27, 12, 0), False),  # Friday prayer break 11:30-13:00
        (wib(2026, 11, 27, 13, 30), True),  # Friday afternoon
        (wib(2026, 11, 28, 9, 0), True),  # Saturday morning
        (wib(2026, 11, 28, 13, 0), False),  # Saturday afternoon
        (datetime(2026, 11, 23, 2, 0, tzinfo=ZoneInfo("UTC")), True),  # 09:00 WIB Monday
        (datetime(2026, 11, 23, 9, 0, tzinfo=ZoneInfo("UTC")), False),  # 16:00 WIB Monday
    ],
)
def test_sample_hours(sample: Mall, instant: datetime, is_open: bool) -> None:
    assert sample.is_open(instant) is is_open


def test_sample_is_closed_on_christmas_2026(sample: Mall) -> None:
    assert sample.is_open(wib(2026, 12, 18, 9, 0)), "an ordinary Friday morning is open"
    assert not sample.is_open(wib(2026, 12, 25, 9, 0))
    assert not sample.is_open(wib(2026, 12, 25, 14, 0))


def test_sample_closes_national_holidays(sample: Mall) -> None:
    closed = {d.isoformat() for d in sample.site.closed_dates}
    assert {"2026-12-25", "2027-01-01", "2027-08-17"} <= closed


def test_sample_quotas_are_real(sample: Mall) -> None:
    s = sample.services
    assert 200 <= s["ktp-el-perekaman"].daily_quota <= 500  # type: ignore[operator]
    assert 200 <= s["akta-kelahiran"].daily_quota <= 500  # type: ignore[operator]
    passports = ["paspor-baru", "paspor-anak", "paspor-penggantian", "paspor-percepatan"]
    assert 240 <= sum(s[p].daily_quota or 0 for p in passports) <= 290


def test_demo_and_sample_are_the_same_mall(demo: Mall, sample: Mall) -> None:
    assert demo.agencies == sample.agencies
    assert demo.queues == sample.queues
    assert demo.counters == sample.counters
    assert demo.kiosks == sample.kiosks
    assert demo.displays == sample.displays
    assert demo.services.keys() == sample.services.keys()
    for sid, service in demo.services.items():
        other = sample.services[sid]
        assert (service.agency_id, service.queue_id, service.name, service.name_en) == (
            other.agency_id,
            other.queue_id,
            other.name,
            other.name_en,
        ), sid


# --- validation errors --------------------------------------------------------

BASE = """\
[site]
name = "MPP Uji"
languages = ["id"]

[site.hours]
mon = ["07:30-12:00", "13:00-15:30"]

[[agencies]]
id = "dukcapil"
name = "Dinas Kependudukan dan Pencatatan Sipil"
prefix = "A"

[[agencies]]
id = "samsat"
name = "Kantor Bersama Samsat"
prefix = "E"

[[queues]]
id = "dukcapil-akta"
agency = "dukcapil"
prefix = "AK"

[[services]]
id = "ktp-el"
agency = "dukcapil"
name = "Perekaman KTP-el"
daily_quota = 300

[[services]]
id = "akta-kelahiran"
agency = "dukcapil"
queue = "dukcapil-akta"
name = "Akta Kelahiran"

[[services]]
id = "pajak-kendaraan"
agency = "samsat"
name = "Pajak Kendaraan Tahunan"

[[counters]]
id = "loket-1"
label = "Loket 1"
agency = "dukcapil"
queues = [["dukcapil", "dukcapil-akta"]]

[[counters]]
id = "loket-2"
label = "Loket 2"
agency = "samsat"
queues = ["samsat"]

[[kiosks]]
id = "kiosk-1"
agencies = ["dukcapil", "samsat"]

[[displays]]
id = "tv-1"
languages = ["id"]
"""


def variant(old: str, new: str) -> str:
    """BASE with one fragment replaced; fails loudly if the fragment is not there."""
    assert BASE.count(old) == 1, f"fragment not found exactly once: {old!r}"
    return BASE.replace(old, new)


def error_for(text: str) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        parse_mall(text, "mall.toml")
    return info.value


def assert_error(err: ConfigError, key: str, fix: str, problem: str = "") -> None:
    assert err.file == "mall.toml"
    assert err.key == key
    assert fix in err.fix
    assert problem in err.problem
    assert str(err) == f"mall.toml: {key}: {err.problem}. Fix: {err.fix}"


def test_base_is_valid() -> None:
    mall = parse_mall(BASE, "mall.toml")
    assert set(mall.queues) == {"dukcapil", "dukcapil-akta", "samsat"}
    assert mall.counters["loket-1"].queue_tiers == (("dukcapil", "dukcapil-akta"),)
    assert mall.services["ktp-el"].queue_id == "dukcapil"
    assert mall.services["akta-kelahiran"].name_en == "Akta Kelahiran"
    assert mall.id == "mall"


def test_duplicate_agency_prefix() -> None:
    err = error_for(variant('prefix = "E"', 'prefix = "A"'))
    assert_error(err, "agencies[1].prefix", "its own ticket prefix", "duplicate prefix 'A'")


def test_queue_prefix_clashing_with_an_agency_prefix() -> None:
    err = error_for(variant('prefix = "AK"', 'prefix = "E"'))
    assert_error(err, "queues[0].prefix", "its own prefix", "already used by agencies[1] (samsat)")


def test_counter_serving_an_unknown_queue() -> None:
    err = error_for(variant('queues = ["samsat"]', 'queues = ["samsat", "samsat-bbn"]'))
    assert_error(err, "counters[1].queues[1]", "queue id from [[queues]]", "unknown queue 'samsat-bbn'")


def test_counter_serving_an_unknown_queue_inside_a_group() -> None:
    err = error_for(variant('[["dukcapil", "dukcapil-akta"]]', '[["dukcapil", "akta"]]'))
    assert_error(err, "counters[0].queues[0][1]", "queue id from [[queues]]", "unknown queue 'akta'")


def test_queue_that_no_counter_serves() -> None:
    err = error_for(variant('[["dukcapil", "dukcapil-akta"]]', '["dukcapil"]'))
    assert_error(err, "services[1].queue", "add 'dukcapil-akta' to the queues of a counter", "served by no counter")


def test_overlapping_hours() -> None:
    err = error_for(variant('mon = ["07:30-12:00", "13:00-15:30"]', 'mon = ["07:30-12:00", "11:00-15:30"]'))
    assert_error(err, "site.hours.mon", "not overlap", "overlap")


def test_touching_hours_are_not_an_overlap() -> None:
    mall = parse_mall(variant('mon = ["07:30-12:00", "13:00-15:30"]', 'mon = ["12:00-15:30", "07:30-12:00"]'))
    assert [(iv.start, iv.end) for iv in mall.site.hours[0]] == [(450, 720), (720, 930)]


def test_malformed_span() -> None:
    err = error_for(variant('mon = ["07:30-12:00", "13:00-15:30"]', 'mon = ["7:30-12", "13:00-15:30"]'))
    assert_error(err, "site.hours.mon[0]", '"HH:MM-HH:MM"', "not a time span")


def test_span_ending_before_it_starts() -> None:
    err = error_for(variant('mon = ["07:30-12:00", "13:00-15:30"]', 'mon = ["07:30-12:00", "15:30-13:00"]'))
    assert_error(err, "site.hours.mon[1]", "the end must be after the start", "ends before it starts")


def test_span_past_midnight() -> None:
    err = error_for(variant('mon = ["07:30-12:00", "13:00-15:30"]', 'mon = ["07:30-24:30"]'))
    assert_error(err, "site.hours.mon[0]", "00:00 to 24:00", "not a time of day")


def test_unknown_time_zone() -> None:
    err = error_for(variant('name = "MPP Uji"', 'name = "MPP Uji"\ntimezone = "Asia/Banyuwangi"'))
    assert_error(err, "site.timezone", "Asia/Jakarta", "unknown time zone 'Asia/Banyuwangi'")


def test_unknown_key() -> None:
    err = error_for(variant('prefix = "E"', 'prefx = "E"'))
    assert_error(err, "agencies[1].prefx", "correct its spelling", "unknown key")


def test_unknown_top_level_key() -> None:
    err = error_for("[printer]\nwidth = 58\n" + BASE)
    assert_error(err, "printer", "correct its spelling", "unknown key")


def test_wrong_type() -> None:
    err = error_for(variant("daily_quota = 300", 'daily_quota = "lots"'))
    assert_error(err, "services[0].daily_quota", "expected type", "got `str`")


def test_missing_required_key() -> None:
    err = error_for(variant('label = "Loket 2"\n', ""))
    assert_error(err, "counters[1].label", "add it", "required key is missing")


def test_unknown_agency_in_service() -> None:
    err = error_for(variant('agency = "samsat"\nname = "Pajak', 'agency = "bapenda"\nname = "Pajak'))
    assert_error(err, "services[2].agency", "id of an agency from [[agencies]]", "unknown agency 'bapenda'")


def test_duplicate_service_id() -> None:
    err = error_for(variant('id = "pajak-kendaraan"', 'id = "ktp-el"'))
    assert_error(err, "services[2].id", "its own id", "duplicate id 'ktp-el'")


def test_service_using_another_agencys_queue() -> None:
    err = error_for(
        variant('name = "Pajak Kendaraan Tahunan"', 'queue = "dukcapil-akta"\nname = "Pajak Kendaraan Tahunan"')
    )
    assert_error(err, "services[2].queue", "the service's own agency", "belongs to another agency")


def test_kiosk_naming_an_unknown_agency() -> None:
    err = error_for(variant('agencies = ["dukcapil", "samsat"]', 'agencies = ["dukcapil", "imigrasi"]'))
    assert_error(err, "kiosks[0].agencies[1]", "agency defined in this file", "unknown agency 'imigrasi'")


def test_display_language_not_in_site_languages() -> None:
    err = error_for(variant('id = "tv-1"\nlanguages = ["id"]', 'id = "tv-1"\nlanguages = ["id", "en"]'))
    assert_error(err, "displays[0].languages[1]", "add it to site.languages", "'en' is not among site.languages")


def test_invalid_toml_syntax() -> None:
    err = error_for(variant('prefix = "AK"', 'prefix = "AK'))
    assert_error(err, "(syntax)", "correct the TOML syntax", "not valid TOML")


def test_load_mall_on_a_missing_file(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.toml"
    with pytest.raises(ConfigError) as info:
        load_mall(missing)
    err = info.value
    assert err.file == str(missing)
    assert err.key == "(file)"
    assert "ANTRIAN_CONFIG" in err.fix
    assert str(err).startswith(f"{missing}: (file): no such file. Fix: ")


def test_load_mall_reads_a_file(tmp_path: Path) -> None:
    path = tmp_path / "mall.toml"
    path.write_text(BASE, encoding="utf-8")
    assert load_mall(path).services.keys() == {"ktp-el", "akta-kelahiran", "pajak-kendaraan"}
    path.write_text(variant('prefix = "E"', 'prefix = "A"'), encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_mall(path)
    assert info.value.file == str(path)
