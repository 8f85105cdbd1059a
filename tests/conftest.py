from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import ServerProcess


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    """A real server (uvicorn) on a free loopback port, serving tests/allday.toml on a fresh journal."""
    proc = ServerProcess(tmp_path / "journal.sqlite3").start()
    try:
        yield proc
    finally:
        proc.stop()
