"""The ticket slip: ESC/POS bytes for a thermal printer, and the same slip as plain text.

Both renderings come from one list of blocks, so the preview, the logs and the paper say the same thing.

Decisions, and why:

* Geometry. Lines are laid out in font A (12 dots wide on every ESC/POS printer). The printable width comes
  from the paper (58 mm: 384 dots at 203 dpi, 360 at 180 dpi; 80 mm: 576 / 512) capped by the profile's own
  media width, so an Epson TM-T88V (180 dpi) gets 42 columns on 80 mm paper, not the 48 of a 203 dpi printer:
  a 48-character line would wrap on it. `PrinterConfig.columns` stays the upper bound.
* Fonts. ESC @ resets to font A and we select it once (ESC M 0) before the code page; nothing later changes the
  font (no ESC !, whose bit 0 is the font): switching fonts mid-ticket can reset a printer's code page.
  Sizes use GS ! only, bold ESC E, reverse GS B.
* Code page. One code page for the whole slip: CP437 at its lowest slot (ESC t 0 on every profile we use), the
  power-on table of nearly every ESC/POS printer, so even a printer that ignores ESC t prints it right. The
  magic encoder's per-character code page switching is turned off: a mid-ticket ESC t is exactly what cheap
  printers get wrong. Characters CP437 has (é, ±, °, ü ...) are kept; the rest are transliterated to ASCII
  ("–" -> "-", "’" -> "'", "…" -> "...", "€" -> "EUR", accents dropped by NFKD), anything else becomes "?".
  Control characters never reach the printer. Wrapping is done after transliteration.
* The number. Printed bold with GS ! at the largest multiplier (1-8, same width and height) with which it
  still fits one line: "PB123" is 6x6 on 58 mm (30 of 32 columns) and 8x8 on 80 mm.
* QR code. Native (GS ( k, model 2, error correction M) when the profile lists `qrCode`: a ~100-byte command
  instead of a few kilobytes of raster, rendered by the printer at its own dot pitch. Profiles without it (the
  POS-5890 class of cheap 58 mm printers, which silently drop GS ( k) get the code as a raster image
  (GS v 0), which they all support; with no image support at all the link is printed as text.
* Cut. `cut()` feeds 6 lines and sends GS V only when the profile has a cutter: a POS-5890 has a tear bar, so
  its slip ends with the feed.
"""

from __future__ import annotations

import functools
import logging
import os
import textwrap
import threading
import unicodedata
from dataclasses import dataclass
from typing import Any

import qrcode
from escpos.capabilities import CAPABILITIES, get_profile
from escpos.constants import QR_ECLEVEL_M
from escpos.image import EscposImage
from escpos.magicencode import Encoder
from escpos.printer import Dummy
from PIL import Image

from printers.model import PrintableTicket, PrinterConfig

log = logging.getLogger(__name__)

FONT_A_DOTS = 12  # width of a font A character in dots, on every ESC/POS printer
MAX_MULTIPLIER = 8  # GS ! accepts 1-8 for width and height
# Printable dots per line by paper width and resolution (Epson and the common 203 dpi clones).
_PAPER_DOTS = {(58, 180): 360, (58, 203): 384, (80, 180): 512, (80, 203): 576}
_PRINTABLE_MM = {58: 48.0, 80: 72.0}
_ASSUMED_DPI = 203  # when the profile does not say
_FEED_BEFORE_CUT = 6  # lines python-escpos' cut() feeds
_LOGO_MAX_HEIGHT = 120  # dots
_QR_TARGET = 0.5  # of the line width
_QR_MAX_MODULE = 6  # dots per module
_QR_BORDER = 4  # quiet zone, in modules (the QR spec's minimum)
# QR version capacity in byte mode at error correction M (versions 1-10): to size a native code without
# encoding it. Longer payloads ask the qrcode library.
_QR_CAPACITY_M = (14, 26, 42, 62, 84, 106, 122, 152, 180, 213)
REPRINT_MARKER = "REPRINT / CETAK ULANG"

# Transliterations for characters the code page lacks, tried before Unicode decomposition.
_TRANSLIT = {
    "\u2010": "-",
    "\u2011": "-",
    "\u2012": "-",
    "\u2013": "-",  # en dash
    "\u2014": "-",  # em dash
    "\u2015": "-",
    "\u2212": "-",  # minus sign
    "\u2018": "'",
    "\u2019": "'",
    "\u201a": ",",
    "\u201b": "'",
    "\u2032": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u201e": '"',
    "\u2033": '"',
    "\u00ab": "<<",
    "\u00bb": ">>",
    "\u2039": "<",
    "\u203a": ">",
    "\u2026": "...",
    "\u00b1": "+/-",
    "\u00d7": "x",
    "\u00f7": "/",
    "\u2022": "*",
    "\u00b7": ".",
    "\u20ac": "EUR",
    "\u00a9": "(c)",
    "\u00ae": "(R)",
    "\u2122": "TM",
    "\u00bc": "1/4",
    "\u00bd": "1/2",
    "\u00be": "3/4",
    "\u2192": "->",
    "\u2190": "<-",
    "\u2264": "<=",
    "\u2265": ">=",
    "\u00b0": " deg",
    "\u00a0": " ",
    "\u2007": " ",
    "\u2009": " ",
    "\u202f": " ",
    "\u200b": "",
    "\u00ad": "",  # soft hyphen
    "\ufeff": "",
}

_warned: set[str] = set()
_warned_lock = threading.Lock()


def _warn_once(key: str, message: str, *args: object) -> None:
    with _warned_lock:
        if key in _warned:
            return
        _warned.add(key)
    log.warning(message, *args)


# --- geometry -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Geometry:
    """What the layout needs to know about one printer model on one paper width."""

    profile: str  # the python-escpos profile actually used
    columns: int  # font A characters per line
    dots: int  # printable dots per line
    dots_known: bool  # the profile states its media width: images are padded to it to be centered
    native_qr: bool
    image_impl: str | None  # "bitImageRaster", "bitImageColumn", "graphics", or None: no images
    can_cut: bool
    codepage: str  # python-escpos encoding name
    codepage_slot: int  # its ESC t number on this profile


def _number(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float) and value > 0:
        return int(value)
    return None


@functools.lru_cache(maxsize=64)
def _geometry(profile_name: str, paper_mm: int, max_columns: int) -> Geometry:
    if profile_name not in CAPABILITIES["profiles"]:
        _warn_once(f"profile:{profile_name}", "unknown python-escpos profile %r: using 'default'", profile_name)
        profile_name = "default"
    profile = get_profile(profile_name)
    media = profile.profile_data.get("media", {})
    dpi = _number(media.get("dpi")) or _ASSUMED_DPI
    paper = 58 if paper_mm <= 58 else 80
    dots = _PAPER_DOTS.get((paper, dpi)) or int(_PRINTABLE_MM[paper] * dpi / 25.4)
    pixels = _number(media.get("width", {}).get("pixels"))
    if pixels is not None:
        dots = min(dots, pixels)
    columns = max(1, min(max_columns, dots // FONT_A_DOTS))
    impl = next((i for i in ("bitImageRaster", "bitImageColumn", "graphics") if profile.supports(i)), None)
    slot, codepage = _codepage(profile.codePages)
    return Geometry(
        profile=profile_name,
        columns=columns,
        dots=dots,
        dots_known=pixels is not None,
        native_qr=bool(profile.supports("qrCode")),
        image_impl=impl,
        can_cut=bool(profile.supports("paperFullCut") or profile.supports("paperPartCut")),
        codepage=codepage,
        codepage_slot=slot,
    )


def _codepage(pages: dict[str, str]) -> tuple[int, str]:
    """CP437 at its lowest slot if the profile has it, else the lowest slot python-escpos can encode."""
    slots = sorted((int(slot), name) for slot, name in pages.items())
    for slot, name in slots:
        if name == "CP437":
            return slot, name
    for slot, name in slots:
        try:
            Encoder({name: slot})._get_codepage_char_map(name)
        except (LookupError, AssertionError):
            continue
        return slot, name
    return 0, "CP437"


def geometry(printer: PrinterConfig) -> Geometry:
    return _geometry(printer.escpos_profile, printer.paper_mm, printer.columns)


@functools.lru_cache(maxsize=16)
def _encoder(codepage: str, slot: int) -> Any:
    return Encoder({codepage: slot})


# --- text ---------------------------------------------------------------------------------------------------


def printable(text: str, geo: Geometry) -> str:
    """`text` as the printer will print it: only characters of the slip's code page, one line."""
    encoder = _encoder(geo.codepage, geo.codepage_slot)
    out: list[str] = []
    for ch in text:
        code = ord(ch)
        if 0x20 <= code < 0x7F:
            out.append(ch)
        elif ch in "\t\n\r\v\f\x85\u2028\u2029":
            out.append(" ")
        elif code < 0x20 or 0x7F <= code < 0xA0:
            continue  # control characters never reach the printer
        elif encoder.can_encode(geo.codepage, ch):
            out.append(ch)
        else:
            out.append(_transliterate(ch, encoder, geo.codepage))
    return " ".join("".join(out).split())


def _transliterate(ch: str, encoder: Any, codepage: str) -> str:
    if ch in _TRANSLIT:
        return _TRANSLIT[ch]
    decomposed = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
    if decomposed and all(0x20 <= ord(c) < 0x7F or encoder.can_encode(codepage, c) for c in decomposed):
        return decomposed
    return "?"


def _wrap(text: str, width: int) -> tuple[str, ...]:
    """Wrap one paragraph (already printable) to `width` columns; words longer than a line are split."""
    if not text:
        return ()
    return tuple(textwrap.wrap(text, width=max(1, width), break_on_hyphens=False) or [text[:width]])


def _paragraphs(text: str, geo: Geometry, width: int | None = None) -> tuple[str, ...]:
    """Wrap text whose explicit line breaks start new paragraphs."""
    lines: list[str] = []
    for paragraph in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        lines.extend(_wrap(printable(paragraph, geo), width or geo.columns))
    return tuple(lines)


# --- blocks -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Text:
    lines: tuple[str, ...]
    bold: bool = False
    reverse: bool = False  # printed white on black, padded with a space each side
    width: int = 1
    height: int = 1


@dataclass(frozen=True)
class _Rule:
    pass


@dataclass(frozen=True)
class _Gap:
    lines: int = 1


@dataclass(frozen=True)
class _Logo:
    path: str


@dataclass(frozen=True)
class _Qr:
    payload: str


_Block = _Text | _Rule | _Gap | _Logo | _Qr


def number_size(number: str, columns: int) -> int:
    """The GS ! multiplier (same for width and height) at which `number` fills most of one line."""
    return max(1, min(MAX_MULTIPLIER, columns // max(1, len(number))))


def _logo_path(printer: PrinterConfig) -> str | None:
    if not printer.logo:
        return None
    if not os.path.isfile(printer.logo):
        _warn_once(
            f"logo:{printer.logo}", "printer %s: logo %s not found, printing without it", printer.id, printer.logo
        )
        return None
    return printer.logo


def _blocks(ticket: PrintableTicket, printer: PrinterConfig, geo: Geometry) -> list[_Block]:
    cols = geo.columns
    blocks: list[_Block] = [_Text(_paragraphs(ticket.mall_name, geo), bold=True)]
    logo = _logo_path(printer)
    if logo is not None:
        blocks.append(_Logo(logo))
    blocks.append(_Text(_paragraphs(ticket.agency_name, geo)))
    blocks.append(_Gap())
    blocks.append(_Text(_paragraphs(ticket.service_name, geo), bold=True))
    if ticket.service_name_en:
        blocks.append(_Text(_paragraphs(ticket.service_name_en, geo)))
    blocks.append(_Rule())
    if ticket.reprint:
        blocks.append(_Text(_wrap(REPRINT_MARKER, cols - 2), bold=True, reverse=True))
    number = printable(ticket.number, geo)
    size = number_size(number, cols)
    blocks.append(_Text(_wrap(number, cols // size), bold=True, width=size, height=size))
    if ticket.priority_label:
        label = _paragraphs(ticket.priority_label, geo, cols - 2)
        blocks.append(_Text(label, bold=True, reverse=True, height=2))
    blocks.append(_Rule())
    blocks.append(_Text(_wrap(f"Di depan Anda: {ticket.people_ahead} orang", cols)))
    if ticket.wait_text:
        blocks.append(_Text(_paragraphs(f"Perkiraan tunggu: {ticket.wait_text}", geo)))
    blocks.append(_Text(_paragraphs(ticket.issued_at_text, geo)))
    if ticket.status_url:
        blocks.extend((_Gap(), _Qr(ticket.status_url), _Gap()))
    blocks.append(_Text(_paragraphs(ticket.footer, geo)))
    return [b for b in blocks if not (isinstance(b, _Text) and not b.lines)]


# --- QR and images ------------------------------------------------------------------------------------------


def _qr_modules(payload: str) -> int:
    """Modules per side of the QR code (without quiet zone) for `payload` at error correction M."""
    size = len(payload.encode("utf-8"))
    for version, capacity in enumerate(_QR_CAPACITY_M, start=1):
        if size <= capacity:
            return 17 + 4 * version
    return len(_qr_matrix(payload)) - 2 * _QR_BORDER


def qr_module_size(payload: str, geo: Geometry) -> int:
    """Dots per QR module: the code (quiet zone included) about half the line wide, at most 6 dots."""
    modules = _qr_modules(payload) + 2 * _QR_BORDER
    return max(1, min(_QR_MAX_MODULE, int(geo.dots * _QR_TARGET) // modules))


@functools.lru_cache(maxsize=8)  # one render asks twice; every ticket has its own URL
def _qr_matrix(payload: str) -> list[list[bool]]:
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=1, border=_QR_BORDER)
    code.add_data(payload)
    code.make(fit=True)
    matrix: list[list[bool]] = code.get_matrix()
    return matrix


def _raster_command(width_bytes: int, height: int, data: bytes) -> bytes:
    """GS v 0: print a raster bit image, 1 bit = 1 dot, rows of `width_bytes` bytes."""
    return b"\x1dv0\x00" + width_bytes.to_bytes(2, "little") + height.to_bytes(2, "little") + data


def _qr_raster(payload: str, module: int, width: int) -> tuple[int, int, bytes]:
    """The QR code as raster rows `width` dots wide (the code centered), scaled `module` dots per module."""
    matrix = _qr_matrix(payload)
    side = len(matrix) * module
    width = max(width, side)
    width_bytes = (width + 7) // 8
    left = (width - side) // 2
    total_bits = width_bytes * 8
    dot = (1 << module) - 1
    out = bytearray()
    for row in matrix:
        bits = 0
        for x, dark in enumerate(row):
            if dark:
                bits |= dot << (total_bits - left - (x + 1) * module)
        out += bits.to_bytes(width_bytes, "big") * module
    return width_bytes, side, bytes(out)


@functools.lru_cache(maxsize=16)
def _logo_image(path: str, mtime_ns: int, dots: int, pad: bool) -> Image.Image | None:
    try:
        with Image.open(path) as source:
            img = source.convert("RGBA")
    except (OSError, ValueError) as e:
        _warn_once(f"logo-bad:{path}:{mtime_ns}", "logo %s cannot be read (%s), printing without it", path, e)
        return None
    max_width = max(8, int(dots * 0.75))
    scale = min(1.0, max_width / img.width, _LOGO_MAX_HEIGHT / img.height)
    if scale < 1.0:
        img = img.resize(
            (max(1, round(img.width * scale)), max(1, round(img.height * scale))), Image.Resampling.LANCZOS
        )
    flat = Image.new("RGB", img.size, (255, 255, 255))
    flat.paste(img, mask=img.split()[3])
    if pad and flat.width < dots:
        padded = Image.new("RGB", (dots, flat.height), (255, 255, 255))
        padded.paste(flat, ((dots - flat.width) // 2, 0))
        flat = padded
    return flat


# --- ESC/POS ------------------------------------------------------------------------------------------------


def render_ticket(ticket: PrintableTicket, printer: PrinterConfig) -> bytes:
    """The ESC/POS bytes of the slip, for `printer`'s profile and paper width."""
    geo = geometry(printer)
    p = Dummy(profile=geo.profile, magic_encode_args={"encoder": _encoder(geo.codepage, geo.codepage_slot)})
    p.hw("INIT")  # ESC @
    p.set(font="a")  # ESC M 0, once, before the code page
    p.charcode(geo.codepage)  # ESC t n, and no code page switching from here on
    p.set(align="center")
    for block in _blocks(ticket, printer, geo):
        if isinstance(block, _Text):
            _emit_text(p, block)
        elif isinstance(block, _Rule):
            p.text("-" * geo.columns + "\n")
        elif isinstance(block, _Gap):
            p.text("\n" * block.lines)
        elif isinstance(block, _Logo):
            _emit_logo(p, block.path, geo)
        else:
            _emit_qr(p, block.payload, geo)
    p.cut()  # ESC d 6, then GS V 0 if the printer has a cutter
    output: bytes = p.output
    return output


def _emit_text(p: Any, block: _Text) -> None:
    sized = (block.width, block.height) != (1, 1)
    if sized:
        p.set(custom_size=True, width=block.width, height=block.height)  # GS !
    if block.bold:
        p.set(bold=True)
    if block.reverse:
        p.set(invert=True)
    for line in block.lines:
        p.text(f" {line} \n" if block.reverse else f"{line}\n")
    if block.reverse:
        p.set(invert=False)
    if block.bold:
        p.set(bold=False)
    if sized:
        p.set(custom_size=True, width=1, height=1)


def _emit_qr(p: Any, payload: str, geo: Geometry) -> None:
    module = qr_module_size(payload, geo)
    if geo.native_qr:
        p.qr(payload, ec=QR_ECLEVEL_M, size=module, native=True)  # GS ( k, centered by ESC a 1
        return
    matrix_side = len(_qr_matrix(payload))
    while module > 1 and matrix_side * module > geo.dots:
        module -= 1
    if geo.image_impl is None or matrix_side * module > geo.dots:
        p.text("".join(f"{line}\n" for line in _wrap(payload, geo.columns)))
        return
    width_bytes, height, data = _qr_raster(payload, module, geo.dots if geo.dots_known else 0)
    if geo.image_impl == "bitImageRaster":
        p._raw(_raster_command(width_bytes, height, data))
    else:
        inverted = bytes(b ^ 0xFF for b in data)  # PIL mode "1": 1 is white
        p.image(Image.frombytes("1", (width_bytes * 8, height), inverted), impl=geo.image_impl)


def _emit_logo(p: Any, path: str, geo: Geometry) -> None:
    if geo.image_impl is None:
        return
    try:
        mtime_ns = os.stat(path).st_mtime_ns
    except OSError:
        _warn_once(f"logo:{path}", "logo %s not found, printing without it", path)
        return
    img = _logo_image(path, mtime_ns, geo.dots, geo.dots_known)
    if img is None:
        return
    if geo.image_impl == "bitImageRaster":
        im = EscposImage(img)
        p._raw(_raster_command(im.width_bytes, im.height, im.to_raster_format()))
    else:
        p.image(img, impl=geo.image_impl)


# --- plain text ---------------------------------------------------------------------------------------------


def render_text(ticket: PrintableTicket, printer: PrinterConfig) -> str:
    """The slip as plain text, line for line what the printer prints (for the preview connection and logs).

    Reverse-printed lines are shown in [brackets]; the number is plain text; images are named in brackets.
    """
    geo = geometry(printer)
    cols = geo.columns
    out: list[str] = []
    for block in _blocks(ticket, printer, geo):
        if isinstance(block, _Text):
            for line in block.lines:
                out.append((f"[{line}]" if block.reverse else line).center(cols).rstrip())
        elif isinstance(block, _Rule):
            out.append("-" * cols)
        elif isinstance(block, _Gap):
            out.extend([""] * block.lines)
        elif isinstance(block, _Logo):
            out.append("[logo]".center(cols).rstrip())
        else:
            out.append("[QR]".center(cols).rstrip())
            out.extend(line.center(cols).rstrip() for line in _wrap(block.payload, cols))
    out.extend([""] * 2)
    out.append(("potong / cut" if geo.can_cut else "sobek / tear").center(cols, "-"))
    return "\n".join(out) + "\n"
