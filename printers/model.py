"""What printing needs to know, as plain data: a printer's configuration and a ticket to print."""

from __future__ import annotations

import msgspec

# How a printer is reached.
CONNECTIONS = ("network", "usb", "serial", "file", "cups", "preview", "agent")
PAPER_WIDTHS = (58, 80)
# Our names for common printers that python-escpos has no profile of its own for.
PROFILE_ALIASES = {"TM-T82": "TM-T20II", "TM-T82X": "TM-T20II", "generic-58": "POS-5890", "generic-80": "default"}
DEFAULT_TIMEOUT_S = 3.0


class PrinterConfig(msgspec.Struct, frozen=True):
    id: str
    connection: str  # one of CONNECTIONS
    profile: str = "default"  # a python-escpos profile name, or one of PROFILE_ALIASES
    paper_mm: int = 80
    host: str = ""  # network
    port: int = 9100  # network
    vendor_id: int = 0  # usb
    product_id: int = 0  # usb
    device: str = ""  # serial (/dev/ttyUSB0) or file (/dev/usb/lp0)
    baudrate: int = 9600  # serial
    queue: str = ""  # cups
    timeout_s: float = DEFAULT_TIMEOUT_S
    logo: str = ""  # optional image printed at the top (path relative to the config file)

    @property
    def escpos_profile(self) -> str:
        return PROFILE_ALIASES.get(self.profile, self.profile)

    @property
    def columns(self) -> int:
        """Characters per line in font A."""
        return 32 if self.paper_mm == 58 else 48


class PrintableTicket(msgspec.Struct, frozen=True):
    """Everything printed on the slip, already in words: the layout only lays it out."""

    ticket_id: str
    number: str
    mall_name: str
    agency_name: str
    service_name: str
    service_name_en: str | None  # printed too on bilingual malls
    priority_label: str | None  # e.g. "PRIORITAS - Lansia"
    people_ahead: int
    wait_text: str  # e.g. "± 15-25 menit"
    issued_at_text: str  # local date and time, e.g. "Minggu, 22/11/2026 16:45 WIB"
    status_url: str  # the QR code's payload
    footer: str  # e.g. "Simpan tiket ini. Pindai kode QR untuk melihat antrian."
    reprint: bool = False  # a reprint says so, so a copy is never taken for a second ticket
