"""The kiosk print agent: prints a kiosk's slips on the printer attached to the kiosk PC.

    python -m printers.agent --server https://antrian.example --kiosk kiosk-1 --token TOKEN \\
        --printer usb:0x04b8:0x0e15

It holds a websocket to the server (`WS /ws/agent`, see server/agent_socket.py), prints each job it
is sent and answers with an ack. The server sends a job again on every reconnection until it has
an outcome, so the agent keeps a ledger: a job is marked `started` (on disk) before its bytes go to
the printer and `printed` or `failed` right after, before the ack. A job found in the ledger is
answered from it and never printed a second time: `printed` is acked ok; `started` means the agent
stopped mid-print, so nobody knows whether the slip came out, and it is acked as failed (staff
reprint if the visitor has no slip), like the server's own spooler does after a crash.

It reconnects forever (exponential backoff with jitter, at most ~30 s), and stops with exit code 2
when the server refuses it for good: a wrong token (4401), a kiosk without an agent printer (4403),
or another agent taking over this kiosk (4409).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import binascii
import contextlib
import json
import logging
import os
import random
import signal
import sys
import time
from collections.abc import Callable, Coroutine, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit, urlunsplit

import msgspec
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus, InvalidURI

from printers import connections
from printers.connections import OFFLINE, OK, UNKNOWN, PrintError
from printers.model import DEFAULT_TIMEOUT_S, PrinterConfig

logger = logging.getLogger("antrian.agent")

EXIT_OK, EXIT_REFUSED = 0, 2
STDOUT = "stdout"  # our own pseudo connection: the slip's text on standard output, for trying the agent out
BACKOFF_FIRST_S, BACKOFF_MAX_S = 0.5, 30.0
STABLE_S = 10.0  # a connection that lasted this long resets the backoff
OPEN_TIMEOUT_S = 10.0
CLOSE_GRACE_S = 2.0  # on SIGTERM, to close the connection politely
MAX_MESSAGE_BYTES = 8 * 2**20  # a job with a logo is a few hundred KB of base64
KEEP_DAYS = 3.0
STARTED, PRINTED, FAILED = "started", "printed", "failed"
INTERRUPTED = (
    "the print agent stopped while printing this slip: it may or may not have come out; "
    "reprint it if the visitor has no slip"
)
REFUSALS = {
    4401: "the server refused this kiosk's token. Check --token (or ANTRIAN_KIOSK_TOKEN): it must be the "
    "kiosk's own device token, not revoked",
    4403: 'this kiosk has no printer with connection = "agent" on the server. Give the kiosk such a printer '
    'in the mall config ([[printers]] connection = "agent", and printer = "..." in its [[kiosks]] entry), '
    "or check that --token is this kiosk's token",
    4409: "another print agent connected for this kiosk and replaced this one. Run a single agent per kiosk; "
    "this one stops so that no slip is printed twice",
}


class Refused(Exception):
    """The server will not take this agent; retrying cannot help."""


# --- the printer ------------------------------------------------------------------


def parse_printer(spec: str, printer_id: str, timeout_s: float = DEFAULT_TIMEOUT_S) -> PrinterConfig:
    """`usb:VID:PID`, `serial:DEVICE[:BAUD]`, `file:PATH`, `network:HOST[:PORT]`, `cups:QUEUE` or `stdout`.
    Raises ValueError with a message saying what is wrong."""
    kind, _, rest = spec.partition(":")
    common: dict[str, Any] = {"id": printer_id, "timeout_s": timeout_s}
    if kind == STDOUT and not rest:
        return PrinterConfig(connection=STDOUT, **common)
    if not rest:
        raise ValueError(f"{spec!r} lacks its target after the colon, e.g. file:/dev/usb/lp0")
    if kind == "usb":
        vendor, _, product = rest.partition(":")
        try:
            ids = int(vendor, 16), int(product, 16)
        except ValueError:
            raise ValueError(f"{spec!r}: give the USB ids in hex as usb:VID:PID, e.g. usb:0x04b8:0x0e15") from None
        return PrinterConfig(connection="usb", vendor_id=ids[0], product_id=ids[1], **common)
    if kind == "serial":
        device, _, baud = rest.rpartition(":")
        if not (device and baud.isdigit()):
            device, baud = rest, "9600"
        return PrinterConfig(connection="serial", device=device, baudrate=int(baud), **common)
    if kind == "file":
        return PrinterConfig(connection="file", device=rest, **common)
    if kind == "network":
        host, port = _host_port(rest, spec)
        return PrinterConfig(connection="network", host=host, port=port, **common)
    if kind == "cups":
        return PrinterConfig(connection="cups", queue=rest, **common)
    raise ValueError(f"{spec!r}: unknown printer kind {kind!r}; use usb:, serial:, file:, network:, cups: or stdout")


def _host_port(rest: str, spec: str) -> tuple[str, int]:
    if rest.startswith("["):  # [IPv6]:port
        host, _, tail = rest[1:].partition("]")
        port = tail.removeprefix(":")
    elif rest.count(":") == 1:
        host, _, port = rest.partition(":")
    else:
        host, port = rest, ""
    if not host or not (port.isdigit() or port == "") or not 0 < int(port or 9100) < 65536:
        raise ValueError(f"{spec!r}: give network:HOST or network:HOST:PORT, e.g. network:192.168.1.50:9100")
    return host, int(port or 9100)


def describe(printer: PrinterConfig) -> str:
    if printer.connection == "usb":
        return f"USB printer {printer.vendor_id:04x}:{printer.product_id:04x}"
    if printer.connection == STDOUT:
        return "standard output (text)"
    target = {"network": f"{printer.host}:{printer.port}", "cups": printer.queue}
    return f"{printer.connection} printer {target.get(printer.connection, printer.device)}"


def deliver(printer: PrinterConfig, data: bytes, text: str) -> None:
    """Send one slip (blocking). Raises PrintError."""
    if printer.connection == STDOUT:
        sys.stdout.write(f"{text.rstrip()}\n{'-' * 48}\n")
        sys.stdout.flush()
    elif printer.connection == "file":
        # Appends (python-escpos' File truncates): a device node does not care, a plain file keeps every slip.
        try:
            with open(printer.device, "ab") as out:
                out.write(data)
        except OSError as exc:
            raise PrintError(f"printer {printer.id}: cannot write {printer.device}: {exc.strerror or exc}") from None
    else:
        connections.send(printer, data, Path("."), "agent", text)


def probe(printer: PrinterConfig) -> tuple[str, str]:
    """(status, detail) of the printer, asked now (blocking). Only a network printer really answers."""
    if printer.connection == "network":
        return connections.status(printer)
    if printer.connection == STDOUT:
        return OK, "printing to standard output"
    if printer.connection in ("file", "serial"):
        path = Path(printer.device)
        if path.exists():
            if os.access(path, os.W_OK):
                return UNKNOWN, ""
            return OFFLINE, f"{path} is not writable by the print agent"
        if printer.connection == "file" and path.parent.is_dir() and not str(path).startswith("/dev/"):
            return UNKNOWN, ""  # a plain file: created on the first slip
        return OFFLINE, f"{path} does not exist (printer unplugged or off?)"
    return UNKNOWN, f"no status from a {printer.connection} printer"


# --- the ledger -------------------------------------------------------------------


class LedgerEntry(msgspec.Struct, frozen=True):
    job: str
    state: str  # started | printed | failed
    at: float  # unix time
    error: str = ""


_encode_entry = msgspec.json.Encoder().encode
_decode_entry = msgspec.json.Decoder(LedgerEntry).decode


class Ledger:
    """Which jobs this agent has handled, in an append-only file of JSON lines, each fsynced.

    The last line about a job wins. Entries older than `keep_days` are dropped when the file is
    rewritten (on opening, and when it has grown well past what it holds). A lock file keeps two
    agents off one ledger."""

    def __init__(self, path: Path, keep_days: float = KEEP_DAYS, clock: Callable[[], float] = time.time) -> None:
        self.path = path
        self.keep_s = keep_days * 86400
        self.clock = clock
        self.entries: dict[str, LedgerEntry] = {}
        self._out: IO[bytes] | None = None
        self._lock: IO[bytes] | None = None
        self._lines = 0

    def open(self) -> Ledger:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._take_lock()
        self.entries = self._read()
        self._rewrite()
        return self

    def close(self) -> None:
        for handle in (self._out, self._lock):
            if handle is not None:
                handle.close()
        self._out = self._lock = None

    def get(self, job_id: str) -> LedgerEntry | None:
        return self.entries.get(job_id)

    def record(self, job_id: str, state: str, error: str = "") -> None:
        """Append one entry and make sure it is on disk before returning."""
        if self._out is None:
            raise RuntimeError("the ledger is not open")
        entry = LedgerEntry(job_id, state, self.clock(), error)
        self._out.write(_encode_entry(entry) + b"\n")
        self._out.flush()
        os.fsync(self._out.fileno())
        self.entries[job_id] = entry
        self._lines += 1
        if self._lines > 2 * len(self.entries) + 1000:
            self._rewrite()

    def _take_lock(self) -> None:
        lock = open(self.path.with_name(self.path.name + ".lock"), "ab")  # held while the agent runs
        try:
            import fcntl

            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except ImportError:  # pragma: no cover - no flock on Windows: one agent per kiosk is up to the operator
            pass
        except BlockingIOError:
            lock.close()
            raise Refused(f"ledger {self.path} is in use by another print agent: run one agent per kiosk") from None
        self._lock = lock

    def _read(self) -> dict[str, LedgerEntry]:
        entries: dict[str, LedgerEntry] = {}
        try:
            lines = self.path.read_bytes().splitlines()
        except FileNotFoundError:
            return entries
        for number, line in enumerate(lines, 1):
            try:
                entry = _decode_entry(line)
            except (msgspec.DecodeError, msgspec.ValidationError):
                if line.strip():  # a line torn by a power cut: its job was not acked, the server sends it again
                    logger.warning("ledger %s line %d is unreadable; skipped", self.path, number)
                continue
            entries[entry.job] = entry
        return entries

    def _rewrite(self) -> None:
        """Keep the recent entries only, replacing the file atomically, and reopen it for appending."""
        oldest = self.clock() - self.keep_s
        self.entries = {job: e for job, e in self.entries.items() if e.at >= oldest}
        if self._out is not None:
            self._out.close()
        temporary = self.path.with_name(self.path.name + ".new")
        with open(temporary, "wb") as out:
            out.writelines(_encode_entry(e) + b"\n" for e in self.entries.values())
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, self.path)
        _fsync_dir(self.path.parent)
        self._out = open(self.path, "ab")  # kept open for appending
        self._lines = len(self.entries)


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):  # not every platform can open a directory
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


# --- the agent --------------------------------------------------------------------


@dataclass(frozen=True)
class Options:
    url: str  # ws(s)://host/ws/agent
    kiosk: str
    token: str
    printer: PrinterConfig
    status_every: float = 30.0

    @property
    def print_deadline(self) -> float:
        """How long one slip may take before the agent calls the printer stuck."""
        return 4 * self.printer.timeout_s + 2


@dataclass(frozen=True)
class Job:
    job_id: str
    number: str
    data: bytes
    text: str


def parse_job(message: dict[str, Any]) -> Job:
    """Raises ValueError on a job the agent cannot print."""
    job_id = message.get("job_id")
    if not isinstance(job_id, str) or not job_id:
        raise ValueError("a job without a job_id")
    try:
        data = base64.b64decode(str(message.get("data", "")), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError(f"job {job_id}: its data is not base64") from None
    return Job(job_id, str(message.get("number", "?")), data, str(message.get("text", "")))


def backoff(attempt: int, rand: Callable[[], float] = random.random) -> float:
    """Seconds before reconnection attempt `attempt` (0, 1, ...): doubling, capped, with jitter."""
    ceiling = min(BACKOFF_MAX_S, BACKOFF_FIRST_S * (1 << min(attempt, 16)))
    return ceiling * (0.5 + 0.5 * rand())


class Agent:
    def __init__(self, options: Options, ledger: Ledger) -> None:
        self.options = options
        self.printer = options.printer
        self.ledger = ledger
        self.stopping = asyncio.Event()
        self._printing = asyncio.Lock()  # one job at a time, across connections
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="printer")  # the printer's calls block
        self._stuck: asyncio.Future[Any] | None = None  # a printer call that overran its deadline
        self._settling: set[asyncio.Task[dict[str, Any]]] = set()
        self._last_failure: tuple[float, str] | None = None
        self._last_status: tuple[str, str] | None = None

    # --- connection ---

    async def run(self) -> int:
        """Connect, serve, reconnect until stopped. Returns the exit code."""
        attempt = 0
        try:
            while not self.stopping.is_set():
                began = time.monotonic()
                reason = await self._until_stopped(self._connect_once())
                if reason is None or self.stopping.is_set():
                    break
                attempt = 0 if time.monotonic() - began >= STABLE_S else attempt
                delay = backoff(attempt)
                attempt += 1
                logger.warning("%s; reconnecting in %.1f s", reason, delay)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.stopping.wait(), delay)
        except Refused as exc:
            logger.error("stopping: %s", exc)
            return EXIT_REFUSED
        finally:
            await self._finish_jobs()
        logger.info("stopped")
        return EXIT_OK

    async def _until_stopped(self, connection: Coroutine[Any, Any, str]) -> str | None:
        """Run one connection; on SIGINT/SIGTERM give it a moment to close cleanly (a connection still
        opening is abandoned). None when stopped."""
        task = asyncio.ensure_future(connection)
        stop = asyncio.ensure_future(self.stopping.wait())
        await asyncio.wait({task, stop}, return_when=asyncio.FIRST_COMPLETED)
        stop.cancel()
        if not task.done():
            with contextlib.suppress(Exception):
                await asyncio.wait_for(task, CLOSE_GRACE_S)  # cancels it when the time is up
            return None
        return task.result()

    async def _connect_once(self) -> str:
        """One connection, until it ends. Returns why it ended; raises Refused when retrying is pointless."""
        try:
            async with connect(
                self.options.url,
                additional_headers={"Authorization": f"Bearer {self.options.token}"},
                user_agent_header=f"antrian-print-agent ({self.options.kiosk})",
                open_timeout=OPEN_TIMEOUT_S,
                max_size=MAX_MESSAGE_BYTES,
            ) as ws:
                await self._serve(ws)
        except InvalidStatus as exc:
            code = exc.response.status_code
            if code in (401, 403):
                raise Refused(f"the server answered HTTP {code}: {REFUSALS[4401]}") from None
            return f"the server answered HTTP {code} instead of a websocket (wrong --server URL?)"
        except InvalidURI as exc:
            raise Refused(f"--server: {exc}") from None
        except (OSError, TimeoutError, InvalidHandshake) as exc:
            return f"cannot reach {self.options.url}: {exc or type(exc).__name__}"
        return self._why_closed(ws)

    def _why_closed(self, ws: ClientConnection) -> str:
        code, reason = ws.close_code, ws.close_reason or ""
        if code in REFUSALS:
            raise Refused(f"{REFUSALS[code]} (close {code}{': ' + reason if reason else ''})")
        if code == 1006:
            return "lost the connection to the server"
        return f"the server closed the connection (code {code}{': ' + reason if reason else ''})"

    async def _serve(self, ws: ClientConnection) -> None:
        logger.info("connected to %s as kiosk %s; printing on %s", self.options.url, self.options.kiosk,
                    describe(self.printer))  # fmt: skip
        self._last_status = None
        tasks = [
            asyncio.create_task(self._receive(ws)),
            asyncio.create_task(self._report_periodically(ws)),
            asyncio.create_task(self.stopping.wait()),
        ]
        try:
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in tasks:
                task.cancel()
            for outcome in await asyncio.gather(*tasks, return_exceptions=True):
                if isinstance(outcome, Exception) and not isinstance(outcome, ConnectionClosed):
                    logger.error("unexpected error; reconnecting", exc_info=outcome)

    async def _receive(self, ws: ClientConnection) -> None:
        with contextlib.suppress(ConnectionClosed):
            async for raw in ws:
                try:
                    message = json.loads(raw)
                    if not isinstance(message, dict):
                        raise ValueError("not a JSON object")
                except ValueError as exc:
                    logger.warning("ignoring a message that is not JSON (%s): %.80r", exc, raw)
                    continue
                await self._on_message(ws, message)

    async def _on_message(self, ws: ClientConnection, message: dict[str, Any]) -> None:
        kind = message.get("type")
        if kind == "error":
            logger.warning("the server says: %s", message.get("detail", message))
            return
        if kind != "job":
            logger.warning("ignoring a message of type %r", kind)
            return
        try:
            job = parse_job(message)
        except ValueError as exc:
            logger.error("cannot print a job: %s", exc)
            job_id = message.get("job_id")
            if isinstance(job_id, str) and job_id:
                await ws.send(json.dumps({"type": "ack", "job_id": job_id, "ok": False, "error": str(exc)}))
            return
        ack = await self.settle(job)
        if not ack["ok"]:
            await self._report(ws, force=True)  # before the ack: the kiosk's answer then shows the printer down
        elif self._last_status is not None and self._last_status[0] == OFFLINE:
            await self._report(ws)  # printing again: say so
        await ws.send(json.dumps(ack))

    # --- printing ---

    async def settle(self, job: Job) -> dict[str, Any]:
        """Print a job (or answer it from the ledger); returns its ack. The work is shielded: once begun,
        a dropped connection or a shutdown does not stop it before its outcome is in the ledger."""
        task = asyncio.ensure_future(self._settle(job))
        self._settling.add(task)
        task.add_done_callback(self._settling.discard)
        return await asyncio.shield(task)

    async def _settle(self, job: Job) -> dict[str, Any]:
        async with self._printing:
            known = self.ledger.get(job.job_id)
            if known is not None:
                return self._answer_from_ledger(job, known)
            self.ledger.record(job.job_id, STARTED)
            error = await self._print(job)
            self.ledger.record(job.job_id, FAILED if error else PRINTED, error)
        if error:
            logger.error("slip %s (job %s) failed: %s", job.number, job.job_id, error)
            self._last_failure = (time.monotonic(), error)
            return {"type": "ack", "job_id": job.job_id, "ok": False, "error": error}
        logger.info("printed slip %s (job %s)", job.number, job.job_id)
        self._last_failure = None
        return {"type": "ack", "job_id": job.job_id, "ok": True}

    def _answer_from_ledger(self, job: Job, known: LedgerEntry) -> dict[str, Any]:
        if known.state == PRINTED:
            logger.info("slip %s (job %s) was printed already: confirming it without printing", job.number,
                        job.job_id)  # fmt: skip
            return {"type": "ack", "job_id": job.job_id, "ok": True}
        error = known.error if known.state == FAILED else INTERRUPTED
        if known.state != FAILED:
            self.ledger.record(job.job_id, FAILED, error)
        logger.warning("slip %s (job %s) is not printed again: %s", job.number, job.job_id, error)
        return {"type": "ack", "job_id": job.job_id, "ok": False, "error": error}

    async def _print(self, job: Job) -> str:
        """'' once the bytes went to the printer, else why not."""
        if self.stuck:
            return f"printer {self.printer.id} is still stuck on an earlier slip"  # queueing behind it helps nobody
        attempt = asyncio.get_running_loop().run_in_executor(self._pool, deliver, self.printer, job.data, job.text)
        try:
            await asyncio.wait_for(asyncio.shield(attempt), self.options.print_deadline)
        except TimeoutError:
            self._mark_stuck(attempt)
            return f"printer {self.printer.id} did not finish within {self.options.print_deadline:g} s (stuck?)"
        except PrintError as exc:
            return str(exc)
        except Exception as exc:  # the agent must outlive any one job
            logger.exception("printing job %s", job.job_id)
            return f"printer {self.printer.id}: {type(exc).__name__}: {exc}"
        return ""

    def _mark_stuck(self, call: asyncio.Future[Any]) -> None:
        self._stuck = call
        call.add_done_callback(lambda f: f.cancelled() or f.exception())  # its outcome no longer matters

    @property
    def stuck(self) -> bool:
        """A printer call overran its deadline and has not returned (a blocked device)."""
        return self._stuck is not None and not self._stuck.done()

    async def _finish_jobs(self) -> None:
        """On the way out: let a slip being printed reach the ledger, so it is not printed twice later."""
        if self._settling:
            logger.info("waiting for the slip being printed")
            await asyncio.wait(set(self._settling), timeout=self.options.print_deadline + 1)
        self._pool.shutdown(wait=False, cancel_futures=True)

    # --- status ---

    async def status(self) -> tuple[str, str]:
        """The printer's status now: offline just after a failed print, else what the printer says."""
        if self._last_failure is not None and time.monotonic() - self._last_failure[0] < self.options.status_every:
            return OFFLINE, self._last_failure[1]
        if self.stuck:
            return OFFLINE, "the printer has not finished its last job"
        asking = asyncio.get_running_loop().run_in_executor(self._pool, probe, self.printer)
        try:
            return await asyncio.wait_for(asyncio.shield(asking), self.options.print_deadline)
        except TimeoutError:
            self._mark_stuck(asking)
            return OFFLINE, "the printer has not finished its last job"
        except Exception as exc:
            return UNKNOWN, f"status query failed: {type(exc).__name__}: {exc}"

    async def _report(self, ws: ClientConnection, force: bool = False) -> None:
        status, detail = await self.status()
        if force or (status, detail) != self._last_status:
            if (status, detail) != self._last_status:
                log = logger.warning if status not in (OK, UNKNOWN) else logger.info
                log("printer status: %s%s", status, f" ({detail})" if detail else "")
            self._last_status = (status, detail)
            await ws.send(json.dumps({"type": "status", "status": status, "detail": detail[:300]}))

    async def _report_periodically(self, ws: ClientConnection) -> None:
        while True:
            await self._report(ws, force=True)
            await asyncio.sleep(self.options.status_every)


# --- command line -----------------------------------------------------------------


def agent_url(server: str) -> str:
    """http(s)://host[:port][/prefix] or ws(s)://... → ws(s)://host[:port][/prefix]/ws/agent"""
    parts = urlsplit(server if "://" in server else f"http://{server}")
    scheme = {"http": "ws", "https": "wss", "ws": "ws", "wss": "wss"}.get(parts.scheme)
    if scheme is None or not parts.netloc:
        raise ValueError(f"--server {server!r}: give the server's address, e.g. https://antrian.example")
    path = parts.path.rstrip("/")
    if not path.endswith("/ws/agent"):
        path += "/ws/agent"
    return urlunsplit((scheme, parts.netloc, path, "", ""))


def default_ledger(kiosk: str) -> Path:
    state = Path(os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state")
    return state / "antrian" / f"print-agent-{kiosk}.jsonl"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m printers.agent",
        description="Print a kiosk's queue slips on the printer attached to this PC.",
        epilog="Printers: usb:0x04b8:0x0e15, serial:/dev/ttyUSB0[:9600], file:/dev/usb/lp0 (or any file: "
        "slips are appended), network:192.168.1.50[:9100], cups:QUEUE, stdout (the slips' text, to try it). "
        "Exit codes: 0 stopped (SIGINT/SIGTERM), 2 refused by the server or bad arguments.",
    )
    parser.add_argument("--server", required=True, help="the Antrian server, e.g. https://antrian.example")
    parser.add_argument("--kiosk", required=True, help="this kiosk's id (for the logs and the ledger's name)")
    parser.add_argument(
        "--token",
        default=os.environ.get("ANTRIAN_KIOSK_TOKEN", ""),
        help="the kiosk's device token (default: $ANTRIAN_KIOSK_TOKEN, which keeps it out of `ps`)",
    )
    parser.add_argument("--printer", required=True, metavar="SPEC", help="where to print (see below)")
    parser.add_argument("--ledger", type=Path, help="jobs already handled (default: ~/.local/state/antrian/...)")
    parser.add_argument("--status-every", type=float, default=30.0, metavar="SECONDS", help="default 30")
    parser.add_argument(
        "--timeout", type=float, default=DEFAULT_TIMEOUT_S, metavar="SECONDS", help="printer timeout (default 3)"
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug details")
    return parser


def parse_options(argv: Sequence[str] | None) -> tuple[Options, Path, bool]:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.token:
        parser.error("give the kiosk's token: --token TOKEN or ANTRIAN_KIOSK_TOKEN")
    if not (0.2 <= args.timeout <= 30 and args.status_every >= 1):
        parser.error("--timeout must be 0.2-30 seconds and --status-every at least 1 second")
    try:
        printer = parse_printer(args.printer, args.kiosk, args.timeout)
        url = agent_url(args.server)
    except ValueError as exc:
        parser.error(str(exc))
    options = Options(url, args.kiosk, args.token, printer, args.status_every)
    return options, args.ledger or default_ledger(args.kiosk), bool(args.verbose)


async def serve(options: Options, ledger_path: Path) -> int:
    try:
        ledger = Ledger(ledger_path).open()
    except Refused as exc:
        logger.error("stopping: %s", exc)
        return EXIT_REFUSED
    except OSError as exc:
        logger.error("cannot open the ledger %s: %s", ledger_path, exc.strerror or exc)
        return EXIT_REFUSED
    agent = Agent(options, ledger)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):  # Windows: Ctrl+C raises KeyboardInterrupt instead
            loop.add_signal_handler(sig, agent.stopping.set)
    logger.info("print agent for kiosk %s: %d jobs in ledger %s", options.kiosk, len(ledger.entries), ledger_path)
    try:
        code = await agent.run()
    finally:
        ledger.close()
    if agent.stuck:  # its thread would keep the process from exiting
        logger.warning("the printer is still stuck on a slip: exiting without waiting for it")
        logging.shutdown()
        os._exit(code)
    return code


def main(argv: Sequence[str] | None = None) -> int:
    options, ledger_path, verbose = parse_options(argv)
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s print-agent: %(message)s",
        stream=sys.stderr,
    )
    if not verbose:
        logging.getLogger("websockets").setLevel(logging.WARNING)
    try:
        return asyncio.run(serve(options, ledger_path))
    except KeyboardInterrupt:
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
