"""A fake ESC/POS network printer: a real TCP server on 127.0.0.1 that records what it is sent and answers
real-time status queries the way an Epson-compatible printer does.

It runs in its own threads, so sync tests, async tests (any event loop) and benchmarks can all talk to it
over real sockets.

    with FakePrinter() as printer:            # or FakePrinter().start() ... .stop()
        send_something("127.0.0.1", printer.port)
        jobs = printer.wait_for_jobs(1)       # the bytes of each connection, once the client closed it
        printer.mode = "paper_out"            # later status queries answer accordingly

Modes:
    "ok"              online, paper adequate
    "paper_near_end"  online, the roll's near-end sensor is on
    "paper_out"       no paper: the printer stops and goes offline
    "offline"         cover open: offline
    "silent"          accepts connections and reads (records) everything, but never answers a status query
                      (a printer whose status channel is dead, or a clone that does not implement DLE EOT)
    "down"            not listening at all: connections are refused; switching to "down" resets the open
                      connections (RST), switching back listens again on the same port

Status queries are DLE EOT n (0x10 0x04 n). Like a real printer the fake scans the whole byte stream for
them, also inside other commands' data (a raster image can contain 10 04 01 and get an answer: real Epson
printers do the same). Every answer is one byte; the bit layouts (Epson ESC/POS, followed by the clones):

    DLE EOT 1, printer status
        bit 0 off, bit 1 on (fixed); bit 2 drawer kick connector pin 3; bit 3 ON = OFFLINE;
        bit 4 on (fixed); bits 5-6 undefined (0); bit 7 off (fixed)
    DLE EOT 2, offline cause
        bits 0, 1, 4, 7 fixed as above; bit 2 COVER OPEN; bit 3 paper fed by the FEED button;
        bit 5 PRINTING STOPPED BY PAPER END; bit 6 error occurred
    DLE EOT 3, error cause
        bits 0, 1, 4, 7 fixed as above; bit 3 autocutter error; bit 5 unrecoverable error;
        bit 6 auto-recoverable error (head temperature)
    DLE EOT 4, roll paper sensor
        bits 0, 1, 4, 7 fixed as above; bits 2-3 (0x0C) NEAR END; bits 5-6 (0x60) PAPER END (not present)

So "ok" answers 0x12 to every n. Other n (and DLE EOT 7/8, DLE ENQ, DLE DC4) get no answer.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
import threading
from dataclasses import dataclass, field
from types import TracebackType

DLE_EOT = b"\x10\x04"
MODES = ("ok", "paper_near_end", "paper_out", "offline", "silent", "down")

FIXED = 0x12  # bits 1 and 4 on, every other bit off
OFFLINE = 0x08  # DLE EOT 1 bit 3
COVER_OPEN = 0x04  # DLE EOT 2 bit 2
PAPER_END_STOP = 0x20  # DLE EOT 2 bit 5
NEAR_END = 0x0C  # DLE EOT 4 bits 2-3
PAPER_END = 0x60  # DLE EOT 4 bits 5-6

STATUS: dict[str, dict[int, int]] = {
    "ok": {1: FIXED, 2: FIXED, 3: FIXED, 4: FIXED},
    "paper_near_end": {1: FIXED, 2: FIXED, 3: FIXED, 4: FIXED | NEAR_END},
    # Out of paper the near-end sensor sees no paper either; the printer stops and goes offline.
    "paper_out": {1: FIXED | OFFLINE, 2: FIXED | PAPER_END_STOP, 3: FIXED, 4: FIXED | NEAR_END | PAPER_END},
    "offline": {1: FIXED | OFFLINE, 2: FIXED | COVER_OPEN, 3: FIXED, 4: FIXED},
}


@dataclass
class _Connection:
    sock: socket.socket
    data: bytearray = field(default_factory=bytearray)
    closed: bool = False  # the client closed it (EOF) or it was reset
    abort: bool = False  # reset it (mode "down" or stop)
    carry: bytes = b""  # an incomplete DLE EOT at the end of the last chunk


def _reset(sock: socket.socket) -> None:
    """Close with an RST (SO_LINGER 0), as a printer that lost power or rebooted looks to its client."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


class FakePrinter:
    def __init__(self, mode: str = "ok", host: str = "127.0.0.1", port: int = 0) -> None:
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}")
        self.host = host
        self._port = port
        self._mode = mode
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._connections: list[_Connection] = []
        self._received = bytearray()
        self._queries: list[int] = []
        self._socket: socket.socket | None = None  # listening, or (mode "down") bound but not listening
        self._generation = 0  # bumped each time the listening socket is replaced
        self._threads: list[threading.Thread] = []
        self._accepting: threading.Thread | None = None
        self._running = False

    # --- lifecycle ------------------------------------------------------------------------------------------

    def start(self) -> FakePrinter:
        with self._lock:
            if self._running:
                return self
            self._running = True
            self._open_socket()
        return self

    def stop(self) -> None:
        with self._lock:
            if not self._running:
                return
            self._running = False
            self._generation += 1
            for conn in self._connections:
                if not conn.closed:
                    conn.abort = True
            sock, self._socket = self._socket, None
            threads = list(self._threads)
        if sock is not None:
            sock.close()
        for t in threads:
            t.join(timeout=2)

    def __enter__(self) -> FakePrinter:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        return self._port

    @property
    def address(self) -> tuple[str, int]:
        return self.host, self._port

    @property
    def mode(self) -> str:
        return self._mode

    @mode.setter
    def mode(self, mode: str) -> None:
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}")
        with self._changed:
            was_down, self._mode = self._mode == "down", mode
            if not self._running or was_down == (mode == "down"):
                return
            # Going down or coming back: replace the socket on the same port.
            self._generation += 1
            old, self._socket = self._socket, None
            accepting, self._accepting = self._accepting, None
            if mode == "down":
                for conn in self._connections:
                    if not conn.closed:
                        conn.abort = True
        if old is not None:
            old.close()
        if accepting is not None:
            accepting.join(timeout=2)  # a poll() in progress keeps the closed listener alive until it returns
        with self._changed:
            # The port can be bound again once the listener and the reset connections are gone.
            self._changed.wait_for(lambda: all(c.closed for c in self._connections), timeout=2)
            if self._running and self._socket is None:
                self._open_socket()

    def _open_socket(self) -> None:
        """Under the lock: listen on the port, or (mode "down") hold it bound without listening."""
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self._port))
        self._port = sock.getsockname()[1]
        self._socket = sock
        if self._mode == "down":
            return  # connecting to a bound port nobody listens on is refused (RST)
        sock.listen(1024)
        sock.settimeout(0.05)
        t = threading.Thread(target=self._accept_loop, args=(sock, self._generation), daemon=True)
        t.name = f"fake-printer-accept-{self._port}"
        self._threads.append(t)
        self._accepting = t
        t.start()

    # --- serving --------------------------------------------------------------------------------------------

    def _accept_loop(self, listener: socket.socket, generation: int) -> None:
        while self._running and self._generation == generation:
            try:
                sock, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return  # closed
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            sock.settimeout(0.05)
            conn = _Connection(sock)
            with self._changed:
                if not self._running or self._generation != generation:
                    _reset(sock)  # accepted while going down: a printer that went away
                    continue
                self._connections.append(conn)
                t = threading.Thread(target=self._serve, args=(conn,), daemon=True)
                t.name = f"fake-printer-conn-{self._port}-{len(self._connections)}"
                self._threads = [x for x in self._threads if x.is_alive()]
                self._threads.append(t)
                self._changed.notify_all()
            t.start()

    def _serve(self, conn: _Connection) -> None:
        sock = conn.sock
        try:
            while not conn.abort:
                try:
                    chunk = sock.recv(65536)
                except TimeoutError:
                    continue
                except OSError:
                    break
                if not chunk:
                    break
                with self._changed:
                    conn.data += chunk
                    self._received += chunk
                    self._changed.notify_all()
                answers = self._answers(conn, chunk)
                if answers:
                    try:
                        sock.sendall(answers)
                    except OSError:
                        break
        finally:
            if conn.abort:
                _reset(sock)
            else:
                sock.close()
            with self._changed:
                conn.closed = True
                self._changed.notify_all()

    def _answers(self, conn: _Connection, chunk: bytes) -> bytes:
        """Find every DLE EOT n in the stream (also across chunk boundaries) and answer per the mode."""
        buf = conn.carry + chunk
        out = bytearray()
        i = 0
        conn.carry = b""
        while True:
            j = buf.find(DLE_EOT, i)
            if j < 0:
                if buf.endswith(b"\x10"):
                    conn.carry = b"\x10"
                break
            if j + 2 >= len(buf):
                conn.carry = buf[j:]
                break
            n = buf[j + 2]
            with self._lock:
                self._queries.append(n)
            answer = STATUS.get(self._mode, {}).get(n)  # "silent": no entry, no answer
            if answer is not None:
                out.append(answer)
            i = j + 3
        return bytes(out)

    # --- what was received ----------------------------------------------------------------------------------

    @property
    def received(self) -> bytes:
        """Every byte received, all connections, in arrival order."""
        with self._lock:
            return bytes(self._received)

    def jobs(self) -> list[bytes]:
        """The bytes received on each connection, in the order they were accepted (open ones too)."""
        with self._lock:
            return [bytes(c.data) for c in self._connections]

    @property
    def status_queries(self) -> list[int]:
        """The n of every DLE EOT n received, answered or not."""
        with self._lock:
            return list(self._queries)

    @property
    def connections(self) -> int:
        with self._lock:
            return len(self._connections)

    def clear(self) -> None:
        """Forget what was received so far (connections still open keep being recorded, from empty)."""
        with self._lock:
            self._received.clear()
            self._queries.clear()
            self._connections = [c for c in self._connections if not c.closed]
            for c in self._connections:
                c.data.clear()

    def _closed_jobs(self) -> int:
        return sum(1 for c in self._connections if c.closed)

    def wait_for_jobs(self, count: int = 1, timeout: float = 5.0) -> list[bytes]:
        """Wait until `count` connections have been closed by their clients; return `jobs()`."""
        with self._changed:
            if not self._changed.wait_for(lambda: self._closed_jobs() >= count, timeout):
                raise TimeoutError(f"{self._closed_jobs()} of {count} jobs finished within {timeout}s")
        return self.jobs()

    def wait_for_bytes(self, count: int, timeout: float = 5.0) -> bytes:
        """Wait until at least `count` bytes were received in all; return `received`."""
        with self._changed:
            if not self._changed.wait_for(lambda: len(self._received) >= count, timeout):
                raise TimeoutError(f"{len(self._received)} of {count} bytes received within {timeout}s")
        return self.received

    async def wait_for_jobs_async(self, count: int = 1) -> list[bytes]:
        """`wait_for_jobs` for async tests: polls without blocking the event loop. Wrap it in
        `asyncio.timeout(...)`; it gives up by itself after 30 s."""
        async with asyncio.timeout(30):
            while True:
                with self._lock:
                    if self._closed_jobs() >= count:
                        return [bytes(c.data) for c in self._connections]
                await asyncio.sleep(0.005)
