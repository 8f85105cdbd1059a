"""Shared test helpers: real processes on real loopback sockets."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
TESTS = ROOT / "tests"
ALLDAY = TESTS / "allday.toml"  # a small mall open around the clock
MINI = TESTS / "mini.toml"  # the same mall with office hours


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ServerProcess:
    """`python -m server` as a child process on a free loopback port, as a user would run it."""

    def __init__(
        self, journal: Path, config: Path = ALLDAY, port: int | None = None, env: dict[str, str] | None = None
    ) -> None:
        self.journal, self.config = journal, config
        self.port = port or free_port()
        self.extra_env = env or {}
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = Path(tempfile.mkstemp(prefix="antrian-server-", suffix=".log")[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def start(self, timeout: float = 20.0) -> ServerProcess:
        env = {
            **os.environ,
            "PORT": str(self.port),
            "HOST": "127.0.0.1",
            "ANTRIAN_CONFIG": str(self.config),
            "ANTRIAN_JOURNAL": str(self.journal),
            "PYTHONPATH": str(ROOT),
            **self.extra_env,
        }
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "server"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}:\n{self.output()}")
            try:
                if httpx.get(f"{self.base_url}/api/catalog", timeout=1.0).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"server did not answer within {timeout}s:\n{self.output()}")

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def kill(self) -> None:
        """SIGKILL: no shutdown hook runs, as in a power cut."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()


class RedisServer:
    """A private redis-server on a free loopback port, durable like production (AOF, fsync always)."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.workdir = workdir
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        binary = require(shutil.which("redis-server"), "redis-server")
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.proc = subprocess.Popen(
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(self.workdir),
                "--save",
                "",
                "--appendonly",
                "yes",
                "--appendfsync",
                "always",
                "--protected-mode",
                "yes",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(16).startswith(b"+PONG"):
                        return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("redis-server did not start")

    def flush(self) -> None:
        with socket.create_connection(("127.0.0.1", self.port), timeout=2) as s:
            s.sendall(b"FLUSHALL\r\n")
            assert s.recv(16).startswith(b"+OK")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def require(tool: str | None, what: str) -> str:
    """Skip when a real part is missing here; in CI (ANTRIAN_REQUIRE_REAL_PARTS=1) fail instead."""
    import pytest

    if tool:
        return tool
    message = f"{what} is not installed (apt-get install {what})"
    if os.environ.get("ANTRIAN_REQUIRE_REAL_PARTS"):
        pytest.fail(message)
    pytest.skip(message, allow_module_level=True)


# --- credentials of the test malls (demo secrets: public by design) ----------------------

KIOSK = {"Authorization": "Bearer demo-kiosk-kiosk-1"}
DISPLAY_TOKEN = "demo-display-tv-1"
DEMO_PASSWORD = "antrian-demo"


def login(client: httpx.Client, username: str, password: str = DEMO_PASSWORD) -> httpx.Client:
    """Log a client in as staff; it then sends the session cookie and the CSRF header."""
    r = client.post("/api/login", json={"username": username, "password": password})
    assert r.status_code == 200, r.text
    client.headers["X-CSRF-Token"] = r.json()["csrf_token"]
    return client


async def alogin(client: httpx.AsyncClient, username: str, password: str = DEMO_PASSWORD) -> httpx.AsyncClient:
    r = await client.post("/api/login", json={"username": username, "password": password})
    assert r.status_code == 200, r.text
    client.headers["X-CSRF-Token"] = r.json()["csrf_token"]
    return client


def demo_access_toml(kiosk: str = "kiosk-1", display: str = "tv-1") -> str:
    """Site-independent TOML for a generated test mall: a kiosk, a display and an admin, with demo secrets."""
    from config.access import DEMO_SALT, demo_token, hash_password, token_digest

    return f"""
[[kiosks]]
id = "{kiosk}"
token_sha256 = "{token_digest(demo_token("kiosk", kiosk))}"

[[displays]]
id = "{display}"
token_sha256 = "{token_digest(demo_token("display", display))}"

[[staff]]
username = "admin"
role = "admin"
password_hash = "{hash_password(DEMO_PASSWORD, DEMO_SALT)}"
"""
