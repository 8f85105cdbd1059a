"""Config errors for staff, device tokens and printers name the file, the key and the fix."""

from __future__ import annotations

import pytest

from config.access import DEMO_PASSWORD, DEMO_SALT, demo_token, hash_password, token_digest
from config.loader import ConfigError, parse_config
from tests.config.test_loader import BASE, assert_error

DEMO_HASH = hash_password(DEMO_PASSWORD, DEMO_SALT)
REAL_HASH = hash_password("a real secret, long enough")


def error_for(text: str) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        parse_config(text, "mall.toml")
    return info.value


def with_printer(printer: str, kiosk_printer: str = "p1") -> str:
    kiosk = BASE.replace('[[kiosks]]\nid = "kiosk-1"\n', f'[[kiosks]]\nid = "kiosk-1"\nprinter = "{kiosk_printer}"\n')
    return kiosk + "\n[[printers]]\n" + printer


def test_printers_load_with_defaults_and_aliases() -> None:
    loaded = parse_config(with_printer('id = "p1"\nconnection = "network"\nhost = "127.0.0.1"\nprofile = "TM-T82"\n'))
    printer = loaded.printers["p1"]
    assert (printer.port, printer.paper_mm, printer.timeout_s, printer.escpos_profile) == (9100, 80, 3.0, "TM-T20II")
    assert loaded.mall.kiosks["kiosk-1"].printer_id == "p1"


@pytest.mark.parametrize(
    ("printer", "kiosk_printer", "key", "fix"),
    [
        ('id = "p1"\nconnection = "preview"\n', "nope", "kiosks[0].printer[0]", "printer defined in this file"),
        ('id = "p1"\nconnection = "network"\n', "p1", "printers[0].host", "add host"),
        ('id = "p1"\nconnection = "carrier-pigeon"\n', "p1", "printers[0].connection", "network"),
        ('id = "p1"\nconnection = "preview"\nprofile = "TM-X999"\n', "p1", "printers[0].profile", "TM-T88V"),
        ('id = "p1"\nconnection = "preview"\npaper_mm = 76\n', "p1", "printers[0].paper_mm", "58 or 80"),
        ('id = "p1"\nconnection = "usb"\n', "p1", "printers[0].vendor_id", "lsusb"),
        ('id = "p1"\nconnection = "serial"\n', "p1", "printers[0].device", "add device"),
        ('id = "p1"\nconnection = "cups"\n', "p1", "printers[0].queue", "add queue"),
        ('id = "p1"\nconnection = "preview"\ntimeout_s = 120\n', "p1", "printers[0].timeout_s", "0.2 to 30"),
        ('id = "p1"\nconnection = "preview"\nlogo = "missing.png"\n', "p1", "printers[0].logo", "PNG path"),
    ],
)
def test_printer_mistakes(printer: str, kiosk_printer: str, key: str, fix: str) -> None:
    assert_error(error_for(with_printer(printer, kiosk_printer)), key, fix)


def staff(role: str, extra: str = "", password_hash: str = REAL_HASH) -> str:
    return BASE + f'\n[[staff]]\nusername = "someone"\nrole = "{role}"\npassword_hash = "{password_hash}"\n{extra}'


def test_staff_load() -> None:
    access = parse_config(staff("counter", 'agency = "dukcapil"\ncounters = ["loket-1"]\n')).access
    account = access.staff["someone"]
    assert (account.role, account.agency_id, account.counter_ids) == ("counter", "dukcapil", ("loket-1",))
    assert not access.demo


@pytest.mark.parametrize(
    ("text", "key", "fix"),
    [
        (staff("janitor"), "staff[0].role", "counter, supervisor, manager, admin"),
        (staff("counter", 'agency = "dukcapil"\n'), "staff[0].counters", "list them"),
        (staff("counter", 'agency = "dukcapil"\ncounters = ["loket-2"]\n'), "staff[0].counters[0]", "account's agency"),
        (staff("supervisor"), "staff[0].agency", "agency"),
        (staff("manager", 'agency = "dukcapil"\n'), "staff[0].agency", "remove agency"),
        (staff("admin", password_hash="hunter2"), "staff[0].password_hash", "python -m server hash-password"),
        (staff("admin", password_hash=DEMO_HASH), "staff[0].password_hash", "site.demo = true"),
    ],
)
def test_staff_mistakes(text: str, key: str, fix: str) -> None:
    assert_error(error_for(text), key, fix)


def test_demo_secrets_are_refused_unless_it_is_a_demo() -> None:
    demo_kiosk = BASE.replace(
        '[[kiosks]]\nid = "kiosk-1"\n',
        f'[[kiosks]]\nid = "kiosk-1"\ntoken_sha256 = "{token_digest(demo_token("kiosk", "kiosk-1"))}"\n',
    )
    assert_error(error_for(demo_kiosk), "kiosks[0].token_sha256", "site.demo = true", "published secret")
    loaded = parse_config(demo_kiosk.replace('name = "MPP Uji"', 'name = "MPP Uji"\ndemo = true'))
    assert loaded.access.device_for_token("demo-kiosk-kiosk-1") is not None
    assert parse_config(staff("admin", password_hash=DEMO_HASH).replace("[site]\n", "[site]\ndemo = true\n"))


def test_a_token_digest_must_be_a_digest() -> None:
    bad = BASE.replace('[[kiosks]]\nid = "kiosk-1"\n', '[[kiosks]]\nid = "kiosk-1"\ntoken_sha256 = "letmein"\n')
    assert_error(error_for(bad), "kiosks[0].token_sha256", "python -m server new-token")
