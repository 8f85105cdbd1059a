"""Test malls for the display tests: tests/allday.toml with its display tv-1 configured otherwise."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support import ALLDAY

TV1 = 'id = "tv-1"\n'


def allday_text(**tv1: object) -> str:
    """tests/allday.toml with these keys added to display tv-1 (values written as TOML)."""
    text = ALLDAY.read_text(encoding="utf-8")
    assert text.count(TV1) == 1, "tests/allday.toml changed: tv-1 not found"
    lines = []
    for key, value in tv1.items():
        if isinstance(value, bool):
            lines.append(f"{key} = {str(value).lower()}\n")
        elif isinstance(value, str | list):
            lines.append(f"{key} = {json.dumps(value, ensure_ascii=False)}\n")  # a JSON string or list is TOML too
        else:
            lines.append(f"{key} = {value}\n")
    return text.replace(TV1, TV1 + "".join(lines))


def allday_with(path: Path, **tv1: object) -> Path:
    path.write_text(allday_text(**tv1), encoding="utf-8")
    return path
