"""Process settings from the environment; everything about the mall itself is in its config file."""

from __future__ import annotations

import os
from pathlib import Path

import msgspec

from config.loader import DEMO_CONFIG

ROOT = Path(__file__).resolve().parent.parent


def _seconds(env: dict[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = -1
    if not 0.1 <= value <= 3600:
        raise SystemExit(f"{name}={raw!r} is not a number of seconds. Fix: set it to 0.1 to 3600, e.g. {default:g}.")
    return value


class Settings(msgspec.Struct, frozen=True):
    config_path: Path = DEMO_CONFIG
    journal_path: Path | None = None  # default: var/<mall id>.journal.sqlite3
    host: str = "127.0.0.1"
    port: int = 8000
    public_url: str = ""  # overrides site.public_base_url (the address QR codes point to)
    redis_url: str = ""  # set: the journal is a Redis stream shared by many server processes
    printer_poll_s: float = 15.0  # how often printers are asked for their status

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ) if env is None else env
        port = env.get("PORT", "8000")
        if not port.isdigit() or not 0 < int(port) < 65536:
            raise SystemExit(f"PORT={port!r} is not a port number. Fix: set PORT to a number from 1 to 65535.")
        journal = env.get("ANTRIAN_JOURNAL")
        return cls(
            config_path=Path(env.get("ANTRIAN_CONFIG") or DEMO_CONFIG),
            journal_path=Path(journal) if journal else None,
            host=env.get("HOST") or "127.0.0.1",
            port=int(port),
            public_url=env.get("ANTRIAN_PUBLIC_URL", ""),
            redis_url=env.get("ANTRIAN_REDIS_URL", ""),
            printer_poll_s=_seconds(env, "ANTRIAN_PRINTER_POLL_SECONDS", 15.0),
        )

    def public_base_url(self, configured: str) -> str:
        return (self.public_url or configured or f"http://{self.host}:{self.port}").rstrip("/")

    def journal_for(self, mall_id: str) -> Path:
        return self.journal_path or ROOT / "var" / f"{mall_id}.journal.sqlite3"
