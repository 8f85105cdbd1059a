"""The kiosk print agent (`python -m printers.agent`) against the real server.

The mall is tests/allday.toml with kiosk-1 printing through an agent printer (`agent-1`). The agent
runs as a real child process printing into a plain file (`file:` appends), so the slips it printed
can be counted: one GS V (cut) per slip with the default profile, and each ticket number once.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets

from printers.agent import (
    FAILED,
    INTERRUPTED,
    PRINTED,
    STARTED,
    Agent,
    Job,
    Ledger,
    Options,
    agent_url,
    backoff,
    parse_printer,
)
from tests.support import ALLDAY, KIOSK, ROOT, ServerProcess, login

CUT = b"\x1dV"
KIOSK_TOKEN = "demo-kiosk-kiosk-1"


# --- helpers ------------------------------------------------------------------------


def agent_mall(path: Path) -> Path:
    """tests/allday.toml, with kiosk-1's printer reached through its print agent."""
    text = ALLDAY.read_text(encoding="utf-8")
    kiosk = '[[kiosks]]\nid = "kiosk-1"'
    assert kiosk in text and 'printer = "printer-1"' in text
    text = text.replace(kiosk, f'[[printers]]\nid = "agent-1"\nconnection = "agent"\n\n{kiosk}', 1)
    path.write_text(text.replace('printer = "printer-1"', 'printer = "agent-1"', 1), encoding="utf-8")
    return path


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    proc = ServerProcess(tmp_path / "journal.sqlite3", config=agent_mall(tmp_path / "mall.toml")).start()
    try:
        yield proc
    finally:
        proc.stop()


@pytest.fixture
def kiosk(server: ServerProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.base_url, headers=KIOSK, timeout=10) as client:
        yield client


class AgentProcess:
    """`python -m printers.agent` as a child process, its log in a file."""

    def __init__(self, server: ServerProcess, workdir: Path, name: str = "agent") -> None:
        self.server, self.log = server, workdir / f"{name}.log"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(
        self, printer: str, ledger: Path, token: str = KIOSK_TOKEN, kiosk: str = "kiosk-1", *extra: str
    ) -> AgentProcess:
        argv = [sys.executable, "-m", "printers.agent", "--server", self.server.base_url, "--kiosk", kiosk]
        argv += ["--token", token, "--printer", printer, "--ledger", str(ledger), *extra]
        with self.log.open("ab") as log:
            env = {**os.environ, "PYTHONPATH": str(ROOT)}
            self.proc = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log)
        return self

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def wait_exit(self, timeout: float = 15) -> int:
        assert self.proc is not None
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(f"the agent did not exit within {timeout} s:\n{self.output()}") from None

    def stop(self) -> int:
        """SIGTERM, as systemd stops it: a clean exit, code 0."""
        assert self.proc is not None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        return self.wait_exit(10)

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)


@pytest.fixture
def agents(server: ServerProcess, tmp_path: Path) -> Iterator[Callable[[str], AgentProcess]]:
    started: list[AgentProcess] = []

    def make(name: str = "agent") -> AgentProcess:
        started.append(AgentProcess(server, tmp_path, name))
        return started[-1]

    yield make
    for agent in started:
        agent.kill()


def wait_for(check: Callable[[], Any], what: str, timeout: float = 10.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.05)


def issue(kiosk: httpx.Client) -> tuple[dict[str, Any], float]:
    began = time.monotonic()
    r = kiosk.post("/api/tickets", json={"service_id": "ktp-el", "kiosk_id": "kiosk-1"})
    assert r.status_code == 201, r.text
    return r.json(), time.monotonic() - began


def ticket(kiosk: httpx.Client, ticket_id: str) -> dict[str, Any]:
    r = kiosk.get(f"/api/tickets/{ticket_id}")
    assert r.status_code == 200, r.text
    result: dict[str, Any] = r.json()
    return result


def wait_print_status(kiosk: httpx.Client, ticket_id: str, status: str, agent: AgentProcess) -> dict[str, Any]:
    try:
        return dict(wait_for(lambda: (t := ticket(kiosk, ticket_id))["print_status"] == status and t, status))
    except AssertionError:
        raise AssertionError(f"{ticket(kiosk, ticket_id)}\nagent log:\n{agent.output()}") from None


def printer(client: httpx.Client, printer_id: str = "agent-1") -> dict[str, Any]:
    r = client.get("/api/printers")
    assert r.status_code == 200, r.text
    return next(dict(p) for p in r.json() if p["id"] == printer_id)


def journal(server: ServerProcess, event_type: str) -> list[dict[str, Any]]:
    with contextlib.closing(sqlite3.connect(f"file:{server.journal}?mode=ro", uri=True)) as conn:
        rows = conn.execute("SELECT body FROM events WHERE type = ? ORDER BY id", (event_type,)).fetchall()
    return [json.loads(body) for (body,) in rows]


def ledger_states(path: Path) -> dict[str, str]:
    return {e["job"]: e["state"] for e in map(json.loads, path.read_text().splitlines())}


# --- against the real server --------------------------------------------------------


def test_jobs_queued_while_the_agent_is_away_are_printed_when_it_connects(
    server: ServerProcess, kiosk: httpx.Client, agents: Callable[[str], AgentProcess], tmp_path: Path
) -> None:
    assert printer(kiosk)["status"] in ("unknown", "offline")
    tickets = []
    for _ in range(3):
        t, took = issue(kiosk)
        assert t["print_status"] == "pending" and took < 2.0, (t, took)  # nobody waits for an absent agent
        tickets.append(t)
    assert printer(kiosk)["pending_jobs"] == 3

    slips, ledger = tmp_path / "slips.bin", tmp_path / "ledger.jsonl"
    agent = agents("agent").start(f"file:{slips}", ledger)
    for t in tickets:
        assert wait_print_status(kiosk, t["id"], "printed", agent)["print_error"] == ""

    data = slips.read_bytes()
    assert data.count(CUT) == 3
    numbers = [t["number"].encode() for t in tickets]
    assert [data.count(n) for n in numbers] == [1, 1, 1]
    assert sorted(numbers, key=data.index) == numbers  # in the order they were taken
    assert ledger_states(ledger) == {f"{t['id']}:1": PRINTED for t in tickets}
    assert printer(kiosk)["pending_jobs"] == 0
    assert agent.stop() == 0
    assert "stopped" in agent.output()


def test_a_job_whose_ack_was_lost_is_not_printed_twice(
    server: ServerProcess, kiosk: httpx.Client, agents: Callable[[str], AgentProcess], tmp_path: Path
) -> None:
    first, _ = issue(kiosk)
    job_id = f"{first['id']}:1"

    async def print_without_acking() -> dict[str, Any]:
        """An agent that got the job, printed it and lost its connection before the ack went out."""
        url = f"{server.ws_url}/ws/agent"
        async with websockets.connect(url, additional_headers={"Authorization": f"Bearer {KIOSK_TOKEN}"}) as ws:
            message: dict[str, Any] = json.loads(await asyncio.wait_for(ws.recv(), 10))
        return message

    job = asyncio.run(print_without_acking())
    assert job["type"] == "job" and job["job_id"] == job_id and job["number"] == first["number"]
    assert ticket(kiosk, first["id"])["print_status"] == "pending"  # no outcome yet: it will be sent again

    ledger = tmp_path / "ledger.jsonl"
    with contextlib.closing(Ledger(ledger).open()) as book:
        book.record(job_id, STARTED)
        book.record(job_id, PRINTED)  # what the lost agent wrote before its ack
    slips = tmp_path / "slips.bin"
    agent = agents("agent").start(f"file:{slips}", ledger)
    wait_print_status(kiosk, first["id"], "printed", agent)
    assert not slips.exists() or slips.read_bytes() == b""  # confirmed, not printed again
    assert "printed already" in agent.output()

    second, _ = issue(kiosk)  # the agent still prints new slips: exactly that one
    assert second["print_status"] == "printed"
    data = slips.read_bytes()
    assert data.count(CUT) == 1 and second["number"].encode() in data and first["number"].encode() not in data
    printed = [e for e in journal(server, "ticket_printed") if e["ticket_id"] == first["id"]]
    assert len(printed) == 1 and printed[0]["printer_id"] == "agent-1"
    assert agent.stop() == 0


def test_a_failed_print_is_reported(
    server: ServerProcess, kiosk: httpx.Client, agents: Callable[[str], AgentProcess], tmp_path: Path
) -> None:
    t, _ = issue(kiosk)
    agent = agents("agent").start("file:/nonexistent-dir/x", tmp_path / "ledger.jsonl")
    failed = wait_print_status(kiosk, t["id"], "failed", agent)
    assert "/nonexistent-dir/x" in failed["print_error"], failed
    reasons = [e["reason"] for e in journal(server, "print_failed") if e["ticket_id"] == t["id"]]
    assert reasons == [failed["print_error"]]
    assert journal(server, "ticket_printed") == []
    with httpx.Client(base_url=server.base_url, timeout=10) as staff:
        login(staff, "spv-dukcapil")
        wait_for(lambda: printer(staff)["status"] == "offline", "the printer reported offline")
        assert printer(staff)["usable"] is False
    assert ledger_states(tmp_path / "ledger.jsonl") == {f"{t['id']}:1": FAILED}
    assert agent.stop() == 0


def test_with_the_agent_connected_the_kiosk_answer_says_printed(
    server: ServerProcess, kiosk: httpx.Client, agents: Callable[[str], AgentProcess], tmp_path: Path
) -> None:
    warm_up, _ = issue(kiosk)
    slips = tmp_path / "slips.bin"
    agent = agents("agent").start(f"file:{slips}", tmp_path / "ledger.jsonl")
    wait_print_status(kiosk, warm_up["id"], "printed", agent)  # the agent is connected
    for _ in range(2):
        t, took = issue(kiosk)
        assert t["print_status"] == "printed" and t["print_error"] == "", t
        assert took < 3.0, took
    assert slips.read_bytes().count(CUT) == 3
    assert agent.stop() == 0


def test_the_agent_reconnects_after_the_server_restarts(
    server: ServerProcess, kiosk: httpx.Client, agents: Callable[[str], AgentProcess], tmp_path: Path
) -> None:
    slips = tmp_path / "slips.bin"
    agent = agents("agent").start(f"file:{slips}", tmp_path / "ledger.jsonl")
    before, _ = issue(kiosk)
    wait_print_status(kiosk, before["id"], "printed", agent)
    server.kill()  # a power cut on the server
    wait_for(lambda: "reconnecting in" in agent.output(), "the agent to notice")
    server.start()
    after, _ = issue(kiosk)
    wait_print_status(kiosk, after["id"], "printed", agent)
    assert slips.read_bytes().count(CUT) == 2
    assert agent.output().count("connected to ws://") == 2
    assert agent.stop() == 0


def test_the_agent_stops_when_the_server_refuses_it(
    server: ServerProcess, kiosk: httpx.Client, agents: Callable[[str], AgentProcess], tmp_path: Path
) -> None:
    wrong = agents("wrong-token").start("stdout", tmp_path / "l1.jsonl", "demo-kiosk-nobody")
    no_agent_printer = agents("imigrasi").start(
        "stdout", tmp_path / "l2.jsonl", "demo-kiosk-kiosk-imigrasi", "kiosk-imigrasi"
    )
    assert wrong.wait_exit() == 2
    assert "refused this kiosk's token" in wrong.output() and "4401" in wrong.output()
    assert no_agent_printer.wait_exit() == 2
    assert 'no printer with connection = "agent"' in no_agent_printer.output()
    assert "4403" in no_agent_printer.output()

    # Two agents for one kiosk: not on one ledger, and the newer one replaces the older.
    first = agents("first").start(f"file:{tmp_path / 'a.bin'}", tmp_path / "a.jsonl")
    wait_for(lambda: "printer status" in first.output(), "the first agent to connect")
    same_ledger = agents("same-ledger").start(f"file:{tmp_path / 'b.bin'}", tmp_path / "a.jsonl")
    assert same_ledger.wait_exit() == 2 and "in use by another print agent" in same_ledger.output()
    second = agents("second").start(f"file:{tmp_path / 'b.bin'}", tmp_path / "b.jsonl")
    assert first.wait_exit() == 2 and "4409" in first.output()
    t, _ = issue(kiosk)
    assert t["print_status"] == "printed"
    assert t["number"].encode() in (tmp_path / "b.bin").read_bytes()
    assert second.stop() == 0


# --- in process, without a server ---------------------------------------------------


def test_printer_specs() -> None:
    usb = parse_printer("usb:0x04b8:0x0e15", "k")
    assert (usb.connection, usb.vendor_id, usb.product_id) == ("usb", 0x04B8, 0x0E15)
    serial = parse_printer("serial:/dev/ttyUSB0:19200", "k")
    assert (serial.device, serial.baudrate) == ("/dev/ttyUSB0", 19200)
    assert parse_printer("serial:/dev/ttyS0", "k").baudrate == 9600
    assert parse_printer("file:/dev/usb/lp0", "k").device == "/dev/usb/lp0"
    net = parse_printer("network:192.168.1.50", "k", timeout_s=5)
    assert (net.host, net.port, net.timeout_s) == ("192.168.1.50", 9100, 5)
    assert (parse_printer("network:[fe80::1]:9101", "k").host, parse_printer("network:p:9101", "k").port) == (
        "fe80::1",
        9101,
    )
    assert parse_printer("cups:TM-T82", "k").queue == "TM-T82"
    assert parse_printer("stdout", "k").connection == "stdout"
    for bad in ("usb:zz:1", "network:host:port", "lpt:1", "file:", "network:h:70000"):
        with pytest.raises(ValueError):
            parse_printer(bad, "k")
    assert agent_url("http://127.0.0.1:8000") == "ws://127.0.0.1:8000/ws/agent"
    assert agent_url("https://antrian.example/mpp/") == "wss://antrian.example/mpp/ws/agent"
    assert agent_url("wss://antrian.example/ws/agent") == "wss://antrian.example/ws/agent"
    assert [round(backoff(n, lambda: 1.0), 1) for n in (0, 1, 2, 10, 100)] == [0.5, 1.0, 2.0, 30.0, 30.0]
    assert backoff(3, lambda: 0.0) == 2.0  # jitter: half to all of the ceiling


def test_the_ledger_survives_restarts_torn_lines_and_forgets_old_jobs(tmp_path: Path) -> None:
    now = [1_000_000.0]
    path = tmp_path / "state" / "ledger.jsonl"
    with contextlib.closing(Ledger(path, keep_days=3, clock=lambda: now[0]).open()) as book:
        book.record("old:1", PRINTED)
        now[0] += 2 * 86400
        book.record("a:1", STARTED)
        book.record("a:1", PRINTED)
        book.record("b:1", FAILED, "out of paper")
    with path.open("ab") as f:
        f.write(b'{"job": "c:1", "sta')  # a power cut mid-line
    now[0] += 2 * 86400
    with contextlib.closing(Ledger(path, keep_days=3, clock=lambda: now[0]).open()) as book:
        assert book.get("old:1") is None  # 4 days old
        a, b = book.get("a:1"), book.get("b:1")
        assert a is not None and a.state == PRINTED
        assert b is not None and b.error == "out of paper"
        assert book.get("c:1") is None
        book.record("d:1", PRINTED)
    assert ledger_states(path) == {"a:1": PRINTED, "b:1": FAILED, "d:1": PRINTED}


async def test_a_job_interrupted_mid_print_is_never_printed_again(tmp_path: Path) -> None:
    slips = tmp_path / "slips.bin"
    options = Options("ws://unused/ws/agent", "kiosk-1", "t", parse_printer(f"file:{slips}", "kiosk-1"))
    with contextlib.closing(Ledger(tmp_path / "ledger.jsonl").open()) as book:
        book.record("t1:1", STARTED)  # the agent died between this and the printer's answer
        agent = Agent(options, book)
        ack = await agent.settle(Job("t1:1", "A001", b"slip-1", "A001"))
        assert ack == {"type": "ack", "job_id": "t1:1", "ok": False, "error": INTERRUPTED}
        assert await agent.settle(Job("t2:1", "A002", b"slip-2", "A002")) == {
            "type": "ack",
            "job_id": "t2:1",
            "ok": True,
        }
        assert await agent.settle(Job("t2:1", "A002", b"slip-2", "A002")) == {
            "type": "ack",
            "job_id": "t2:1",
            "ok": True,
        }
        await agent._finish_jobs()
    assert slips.read_bytes() == b"slip-2"


async def test_a_stuck_printer_fails_its_slips_instead_of_queueing_them(tmp_path: Path) -> None:
    """A device that blocks (a USB printer out of paper blocks the writer of /dev/usb/lp0): here a FIFO
    nobody reads yet."""
    fifo = tmp_path / "lp0"
    os.mkfifo(fifo)
    options = Options("ws://unused/ws/agent", "kiosk-1", "t", parse_printer(f"file:{fifo}", "kiosk-1", 0.2))
    with contextlib.closing(Ledger(tmp_path / "ledger.jsonl").open()) as book:
        agent = Agent(options, book)
        began = time.monotonic()
        first = await agent.settle(Job("t1:1", "A001", b"slip-1", "A001"))
        assert first["ok"] is False and "did not finish within 2.8 s" in first["error"]
        assert 2.5 < time.monotonic() - began < 6
        second = await agent.settle(Job("t2:1", "A002", b"slip-2", "A002"))
        assert second["ok"] is False and "still stuck" in second["error"]
        assert agent.stuck and (await agent.status())[0] == "offline"
        reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)  # the printer is back
        try:
            await asyncio.sleep(0.2)
            assert not agent.stuck
            agent._last_failure = None  # as after --status-every seconds
            assert await agent.status() == ("unknown", "")
        finally:
            os.close(reader)
        await agent._finish_jobs()
    assert ledger_states(tmp_path / "ledger.jsonl") == {"t1:1": FAILED, "t2:1": FAILED}
