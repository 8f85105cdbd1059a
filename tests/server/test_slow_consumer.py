"""A display that stops reading never slows the others nor grows the server's memory: the server
stops feeding it (close code 4008 when it can still say so) and it comes back with `since`."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import socket
import struct
import time
from pathlib import Path
from typing import Any

import httpx
import websockets

from tests.support import DISPLAY_TOKEN, ServerProcess, alogin

EVENTS = 5000


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def frozen_client(port: int) -> socket.socket:
    """A TV stick that froze: it opens the websocket, then never reads again (a 4 KiB receive window)."""
    raw = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    raw.connect(("127.0.0.1", port))
    key = base64.b64encode(os.urandom(16)).decode()
    raw.sendall(
        f"GET /ws/floor?token={DISPLAY_TOKEN} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
        f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n".encode()
    )
    head = b""
    while b"\r\n\r\n" not in head:
        head += raw.recv(1)
    assert head.startswith(b"HTTP/1.1 101"), head
    return raw


def frames(data: bytes) -> list[tuple[int, bytes]]:
    """Server frames (unmasked) as (opcode, payload); a torn last frame is left out."""
    out, i = [], 0
    while i + 2 <= len(data):
        opcode, length, i = data[i] & 0x0F, data[i + 1] & 0x7F, i + 2
        if length == 126:
            (length,), i = struct.unpack(">H", data[i : i + 2]), i + 2
        elif length == 127:
            (length,), i = struct.unpack(">Q", data[i : i + 8]), i + 8
        if i + length > len(data):
            break
        out.append((opcode, data[i : i + length]))
        i += length
    return out


async def test_a_frozen_display_is_cut_off_and_the_others_get_everything_promptly(server: ServerProcess) -> None:
    assert server.proc is not None
    feed = f"{server.ws_url}/ws/floor?token={DISPLAY_TOKEN}"
    async with httpx.AsyncClient(base_url=server.base_url, timeout=30) as staff:
        await alogin(staff, "admin")
        assert (await staff.post("/api/counters/loket-3/open")).status_code == 200  # so since= has a day to resume
        start_id = (await staff.get("/api/floor")).json()["last_event_id"]
        frozen = frozen_client(server.port)
        before = rss_kib(server.proc.pid)

        fast: list[dict[str, Any]] = []
        lags: list[float] = []
        sent_at: dict[int, float] = {}

        async def follow() -> None:
            async with websockets.connect(f"{feed}&since={start_id}", max_queue=None) as ws:
                while len(fast) < EVENTS:
                    message = json.loads(await ws.recv())
                    fast.append(message)
                    lags.append(time.monotonic() - sent_at[message["id"]])

        follower = asyncio.create_task(follow())
        await asyncio.sleep(0.2)
        # One publisher, so the k-th request makes event start_id + k: its send time is known up front.
        for k in range(1, EVENTS + 1):
            sent_at[start_id + k] = time.monotonic()
            # Opening and closing a counter: one event each, and nothing else changes.
            r = await staff.post(f"/api/counters/loket-1/{'open' if k % 2 else 'close'}")
            assert r.status_code == 200, r.text
        # The frozen client was let go when its bounded queue filled (not merely by a send timeout).
        health = (await staff.get("/api/health")).json()
        assert health["dropped_clients"]["queue_full"] == 1, health
        await asyncio.wait_for(follower, 30)
        after = rss_kib(server.proc.pid)

    # The reading client got every event, in order, each once, promptly.
    assert [m["id"] for m in fast] == list(range(start_id + 1, start_id + EVENTS + 1))
    lags.sort()
    assert lags[len(lags) // 2] < 0.5 and lags[-1] < 3.0, f"median {lags[len(lags) // 2]:.3f}s, max {lags[-1]:.3f}s"

    # The frozen client thaws: all it can still read stops far short of the last event (the server let
    # it go instead of queueing 5,000 events for it), ending in a 4008 close when that could be sent.
    frozen.settimeout(1.0)
    data = b""
    try:
        while chunk := frozen.recv(1 << 16):
            data += chunk
    except TimeoutError:
        pass
    received = frames(data)
    events = [json.loads(p) for op, p in received if op == 1]
    assert events[0]["type"] == "snapshot"
    last_seen = events[-1]["id"]
    assert last_seen < start_id + EVENTS - 1000, f"the frozen client was fed up to {last_seen}"
    closes = [p for op, p in received if op == 8]
    assert not closes or struct.unpack(">H", closes[0][:2])[0] == 4008

    # It resyncs with since=<last id it saw> and misses nothing.
    async with websockets.connect(f"{feed}&since={last_seen}", max_queue=None) as again:
        rest = [json.loads(await again.recv()) for _ in range(start_id + EVENTS - last_seen)]
    assert [m["id"] for m in rest] == list(range(last_seen + 1, start_id + EVENTS + 1))
    assert [e["id"] for e in events[1:]] == list(range(start_id + 1, last_seen + 1))

    # 5,000 events are ~1 MB of JSON: a server that queued them all for the frozen client would show it.
    assert after - before < 30_000, f"server memory grew by {(after - before) // 1024} MiB"
