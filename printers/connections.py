"""Getting bytes to a printer, and asking it how it is. Everything here blocks: call it from a thread.

Network printers are spoken to over a plain socket (what python-escpos' `Network` does, with our
timeout, so a dead printer costs seconds, not a minute); the rest through python-escpos' own
classes. Status is best effort: only a network printer answers DLE EOT here; others are "unknown".
"""

from __future__ import annotations

import socket
import time
from pathlib import Path

from printers.model import PrinterConfig

OK, NEAR_END, PAPER_OUT, OFFLINE, UNKNOWN = "ok", "paper_near_end", "paper_out", "offline", "unknown"
DLE_EOT = b"\x10\x04"


class PrintError(Exception):
    """Printing failed; the message says why in words a supervisor understands."""


def send(printer: PrinterConfig, data: bytes, preview_dir: Path, name: str, text: str = "") -> None:
    """Deliver one rendered slip. Raises PrintError."""
    try:
        if printer.connection == "preview":
            preview_dir.mkdir(parents=True, exist_ok=True)
            (preview_dir / f"{name}.bin").write_bytes(data)
            (preview_dir / f"{name}.txt").write_text(text, encoding="utf-8")
        elif printer.connection == "network":
            with socket.create_connection((printer.host, printer.port), timeout=printer.timeout_s) as sock:
                sock.settimeout(printer.timeout_s)
                sock.sendall(data)
                # The socket takes bytes whether or not the printer prints them: ask it afterwards.
                paper = _ask(sock, 4)
                if paper is None:
                    raise PrintError(f"printer {printer.id} did not confirm the print (no status answer)")
                if paper & 0x60:
                    raise PrintError(f"printer {printer.id} is out of paper")
        else:
            _send_with_escpos(printer, data)
    except PrintError:
        raise
    except TimeoutError:
        raise PrintError(f"printer {printer.id} did not answer within {printer.timeout_s:g} s") from None
    except ConnectionRefusedError:
        raise PrintError(f"printer {printer.id} refused the connection (off, or wrong address?)") from None
    except OSError as exc:
        raise PrintError(f"printer {printer.id}: {exc.strerror or exc}") from None
    except Exception as exc:  # python-escpos raises its own zoo (USBNotFoundError, DeviceNotFoundError...)
        raise PrintError(f"printer {printer.id}: {type(exc).__name__}: {exc}") from None


def _send_with_escpos(printer: PrinterConfig, data: bytes) -> None:
    from escpos import printer as escpos_printer  # imported here: USB and CUPS backends load system libraries

    device: escpos_printer.Escpos
    if printer.connection == "usb":
        device = escpos_printer.Usb(printer.vendor_id, printer.product_id, timeout=int(printer.timeout_s * 1000))
    elif printer.connection == "serial":
        device = escpos_printer.Serial(printer.device, baudrate=printer.baudrate, timeout=printer.timeout_s)
    elif printer.connection == "file":
        device = escpos_printer.File(printer.device)
    elif printer.connection == "cups":
        device = escpos_printer.CupsPrinter(printer.queue)
    else:
        raise PrintError(f"printer {printer.id}: connection {printer.connection!r} is not printed from the server")
    try:
        device.open()
        device._raw(data)
    finally:
        device.close()


def status(printer: PrinterConfig) -> tuple[str, str]:
    """(status, detail) of a printer, asked now."""
    if printer.connection == "preview":
        return OK, "preview"
    if printer.connection != "network":
        return UNKNOWN, f"no status from a {printer.connection} printer"
    try:
        with socket.create_connection((printer.host, printer.port), timeout=printer.timeout_s) as sock:
            sock.settimeout(printer.timeout_s)
            offline = _ask(sock, 1)
            paper = _ask(sock, 4)
    except TimeoutError:
        return OFFLINE, "no answer to the status query"
    except OSError as exc:
        return OFFLINE, exc.strerror or str(exc)
    if offline is None or paper is None:
        return UNKNOWN, "the printer does not answer status queries"
    if paper & 0x60:  # bits 5-6: paper roll end sensor
        return PAPER_OUT, "paper out"
    if offline & 0x08:  # bit 3: offline (cover open, error)
        return OFFLINE, "printer offline (cover open or error)"
    if paper & 0x0C:  # bits 2-3: paper roll near-end sensor
        return NEAR_END, "paper near end"
    return OK, ""


def _ask(sock: socket.socket, n: int) -> int | None:
    sock.sendall(DLE_EOT + bytes([n]))
    deadline = time.monotonic() + (sock.gettimeout() or 1.0)
    while time.monotonic() < deadline:
        try:
            reply = sock.recv(1)
        except TimeoutError:
            return None
        if not reply:
            return None
        # A status byte always has bit 4 set and bits 0 and 7 clear.
        if reply[0] & 0x93 == 0x12:
            return reply[0]
    return None
