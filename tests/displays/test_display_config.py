"""The display's announcement and running-text keys: defaults, the demo's lobby, and every mistake refused
with the key and the fix."""

from __future__ import annotations

import pytest

from config.loader import DEMO_CONFIG, ConfigError, load_mall, parse_mall
from tests.displays.variants import allday_text
from tests.support import ALLDAY


def error_for(text: str) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        parse_mall(text, "mall.toml")
    return info.value


def test_defaults() -> None:
    tv = load_mall(ALLDAY).displays["tv-1"]
    assert (tv.announce_style, tv.announce_repeat, tv.announce_english, tv.ticker) == ("digits", 2, False, "")


def test_the_demo_lobby_says_words_in_both_languages_with_a_running_text() -> None:
    displays = load_mall(DEMO_CONFIG).displays
    lobby = displays["tv-lobby"]
    assert (lobby.announce_style, lobby.announce_repeat, lobby.announce_english) == ("words", 2, True)
    assert "tidak dipungut biaya" in lobby.ticker
    for other in ("tv-dukcapil", "tv-kendaraan"):
        d = displays[other]
        assert (d.announce_style, d.announce_repeat, d.announce_english, d.ticker) == ("digits", 2, False, "")


def test_keys_are_read() -> None:
    text = allday_text(announce_style="words", announce_repeat=3, announce_english=True, ticker="  Buka   07.30  ")
    tv = parse_mall(text).displays["tv-1"]
    assert (tv.announce_style, tv.announce_repeat, tv.announce_english) == ("words", 3, True)
    assert tv.ticker == "Buka 07.30"  # spaces and line breaks collapse: it is one running line


@pytest.mark.parametrize(
    ("keys", "key", "fix"),
    [
        ({"announce_style": "angka"}, "announce_style", 'use "digits"'),
        ({"announce_repeat": 0}, "announce_repeat", "say each call 1-3 times"),
        ({"announce_repeat": 4}, "announce_repeat", "say each call 1-3 times"),
        ({"languages": ["id"], "announce_english": True}, "announce_english", "add 'en' to this display's languages"),
        ({"ticker": "x" * 1001}, "ticker", "keep it to 1000 characters"),
    ],
)
def test_mistakes_name_the_key_and_the_fix(keys: dict[str, object], key: str, fix: str) -> None:
    err = error_for(allday_text(**keys))
    assert err.key.endswith(f"].{key}") and err.key.startswith("displays[")
    assert fix in err.fix
    assert str(err).startswith(f"mall.toml: {err.key}: ")


def test_wrong_types_are_refused() -> None:
    err = error_for(allday_text(announce_english="yes"))
    assert "announce_english" in err.key
