"""A small ESC/POS decoder for tests: bytes in, a list of operations out.

It knows the commands python-escpos and our layout send (and the common ones around them), keeps the print
state a printer keeps (size, bold, reverse, alignment, font, code page) and stamps it on every text run, so a
test can ask "in which size was the number printed?". Anything it does not know becomes an "unknown" op (the
bytes after it are then read as text, which a test will notice); a sequence cut short becomes "truncated".
It never raises on any input.

    ops = decode(data)
    texts_with_size(ops)  -> [("PB123", 6, 6), ...]
    qr_payloads(ops)      -> ["https://..."]   (native GS ( k codes that were printed)
    has_cut(ops)          -> True
    lines(ops)            -> [Line(text=..., width=..., ...)]  text runs joined up to each line feed
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

ESC, GS, FS, DLE = 0x1B, 0x1D, 0x1C, 0x10

# ESC t slots -> Python codecs (the Epson numbering every profile we use shares for these).
CODEPAGES = {
    0: "cp437",
    2: "cp850",
    3: "cp860",
    4: "cp863",
    5: "cp865",
    16: "cp1252",
    17: "cp866",
    18: "cp852",
    19: "cp858",
}
_ALIGN = {0: "left", 48: "left", 1: "center", 49: "center", 2: "right", 50: "right"}

# Commands with a fixed number of parameter bytes: (prefix, command byte) -> (op kind, parameter count).
_FIXED: dict[tuple[int, int], tuple[str, int]] = {
    (ESC, ord("@")): ("init", 0),
    (ESC, ord("!")): ("print_mode", 1),
    (ESC, ord("E")): ("bold", 1),
    (ESC, ord("G")): ("double_strike", 1),
    (ESC, ord("-")): ("underline", 1),
    (ESC, ord("a")): ("align", 1),
    (ESC, ord("t")): ("codepage", 1),
    (ESC, ord("M")): ("font", 1),
    (ESC, ord("R")): ("charset", 1),
    (ESC, ord("d")): ("feed", 1),
    (ESC, ord("e")): ("reverse_feed", 1),
    (ESC, ord("J")): ("feed_dots", 1),
    (ESC, ord("2")): ("line_spacing", 0),
    (ESC, ord("3")): ("line_spacing", 1),
    (ESC, ord("A")): ("line_spacing", 1),
    (ESC, ord("+")): ("line_spacing", 1),
    (ESC, ord(" ")): ("char_spacing", 1),
    (ESC, ord("{")): ("upside_down", 1),
    (ESC, ord("V")): ("rotate", 1),
    (ESC, ord("$")): ("position", 2),
    (ESC, ord("\\")): ("position", 2),
    (ESC, ord("=")): ("peripheral", 1),
    (ESC, ord("p")): ("drawer", 3),
    (ESC, ord("c")): ("panel", 2),
    (ESC, ord("B")): ("buzzer", 2),
    (ESC, ord("r")): ("color", 1),
    (ESC, ord("%")): ("user_chars", 1),
    (ESC, ord("U")): ("unidirectional", 1),
    (ESC, ord("i")): ("cut", 0),
    (ESC, ord("m")): ("cut", 0),
    (ESC, ord("<")): ("home", 0),
    (ESC, ord("L")): ("page_mode", 0),
    (ESC, ord("S")): ("standard_mode", 0),
    (ESC, ord("T")): ("page_direction", 1),
    (ESC, ord("W")): ("page_area", 8),
    (GS, ord("!")): ("size", 1),
    (GS, ord("B")): ("reverse", 1),
    (GS, ord("b")): ("smoothing", 1),
    (GS, ord("|")): ("density", 1),
    (GS, ord("H")): ("barcode_hri", 1),
    (GS, ord("f")): ("barcode_font", 1),
    (GS, ord("h")): ("barcode_height", 1),
    (GS, ord("w")): ("barcode_width", 1),
    (GS, ord("L")): ("left_margin", 2),
    (GS, ord("W")): ("print_width", 2),
    (GS, ord("P")): ("motion_units", 2),
    (GS, ord("a")): ("auto_status", 1),
    (GS, ord("r")): ("status_request", 1),
    (GS, ord("I")): ("printer_id", 1),
    (GS, ord("/")): ("print_downloaded_image", 1),
    (GS, ord(":")): ("macro", 0),
    (GS, ord("^")): ("macro_run", 3),
    (GS, ord("$")): ("position", 2),
    (GS, ord("\\")): ("position", 2),
    (FS, ord(".")): ("kanji_off", 0),
    (FS, ord("&")): ("kanji_on", 0),
    (FS, ord("!")): ("kanji_mode", 1),
    (FS, ord("-")): ("kanji_underline", 1),
    (FS, ord("C")): ("kanji_code", 1),
    (FS, ord("S")): ("kanji_spacing", 2),
    (FS, ord("W")): ("kanji_quad", 1),
    (FS, ord("p")): ("nv_image", 2),
    (DLE, 0x04): ("status_request", 1),
    (DLE, 0x05): ("realtime_request", 1),
    (DLE, 0x14): ("realtime_command", 3),
}
_CONTROL = {0x0A: "lf", 0x0D: "cr", 0x09: "ht", 0x0C: "ff", 0x07: "bel", 0x00: "nul"}


@dataclass
class Op:
    kind: str
    offset: int = 0  # where it starts in the stream
    text: str = ""  # text runs
    raw: bytes = b""  # the command's bytes (for text: the encoded text)
    value: Any = None  # the argument: bold on/off, size, code page slot, feed lines, cut mode, QR setting ...
    data: bytes = b""  # QR payload, image raster
    # Print state in effect (for text runs; for state commands: after the command).
    width: int = 1
    height: int = 1
    bold: bool = False
    reverse: bool = False
    underline: int = 0
    align: str = "left"
    font: int = 0
    codepage: int = 0
    # Images: size in dots.
    image_width: int = 0
    image_height: int = 0


@dataclass
class _State:
    width: int = 1
    height: int = 1
    bold: bool = False
    reverse: bool = False
    underline: int = 0
    align: str = "left"
    font: int = 0
    codepage: int = 0
    qr_payload: bytes | None = None
    qr_size: int = 3
    qr_ec: int = 48
    qr_model: int = 50
    graphics: tuple[int, int, bytes] | None = None

    def stamp(self) -> dict[str, Any]:
        return {
            "width": self.width,
            "height": self.height,
            "bold": self.bold,
            "reverse": self.reverse,
            "underline": self.underline,
            "align": self.align,
            "font": self.font,
            "codepage": self.codepage,
        }


def decode_text(raw: bytes, codepage: int) -> str:
    """Bytes of a text run as the printer would show them; unknown code pages give U+FFFD above 0x7F."""
    codec = CODEPAGES.get(codepage)
    if codec is None:
        return "".join(chr(b) if b < 0x80 else "\ufffd" for b in raw)
    return raw.decode(codec, errors="replace")


def decode(data: bytes) -> list[Op]:
    """Parse an ESC/POS byte stream. Never raises."""
    ops: list[Op] = []
    st = _State()
    i, n = 0, len(data)
    while i < n:
        b = data[i]
        if b >= 0x20:
            j = i
            while j < n and data[j] >= 0x20:
                j += 1
            raw = data[i:j]
            ops.append(Op("text", i, decode_text(raw, st.codepage), raw, **st.stamp()))
            i = j
            continue
        if b in (ESC, GS, FS, DLE):
            if i + 1 >= n:
                ops.append(Op("truncated", i, raw=data[i:]))
                break
            i = _command(data, i, st, ops)
            continue
        ops.append(Op(_CONTROL.get(b, "control"), i, raw=bytes([b]), value=b, **st.stamp()))
        i += 1
    return ops


def _command(data: bytes, i: int, st: _State, ops: list[Op]) -> int:
    """Decode the command at `i` (its prefix byte and the next exist); return where the next op starts."""
    n = len(data)
    prefix, cmd = data[i], data[i + 1]

    def truncated() -> int:
        ops.append(Op("truncated", i, raw=data[i:]))
        return n

    # Variable-length commands first.
    if cmd == ord("(") and prefix in (GS, FS):
        if i + 5 > n:
            return truncated()
        function = data[i + 2]
        end = i + 5 + (data[i + 3] | data[i + 4] << 8)
        if end > n:
            return truncated()
        body = data[i + 5 : end]
        if prefix == GS and function == ord("k"):
            _two_d(body, i, data[i:end], st, ops)
        elif prefix == GS and function == ord("L"):
            _graphics(body, i, data[i:end], st, ops)
        else:
            name = f"{'GS' if prefix == GS else 'FS'} ( {chr(function)}"
            ops.append(Op("extended", i, raw=data[i:end], value=name, data=body))
        return end
    if prefix == GS and cmd == ord("8") and i + 2 < n and data[i + 2] == ord("L"):
        if i + 7 > n:
            return truncated()
        length = int.from_bytes(data[i + 3 : i + 7], "little")
        end = i + 7 + length
        if end > n:
            return truncated()
        _graphics(data[i + 7 : end], i, data[i:end], st, ops)
        return end
    if prefix == GS and cmd == ord("v"):
        if i + 8 > n:
            return truncated()
        if data[i + 2] != 0x30:
            ops.append(Op("unknown", i, raw=data[i : i + 3]))
            return i + 3
        width_bytes = data[i + 4] | data[i + 5] << 8
        height = data[i + 6] | data[i + 7] << 8
        end = i + 8 + width_bytes * height
        if end > n:
            return truncated()
        ops.append(
            Op(
                "image",
                i,
                raw=data[i:end],
                value="raster",  # data[i + 3] is the scale mode (0: normal)
                data=data[i + 8 : end],
                image_width=width_bytes * 8,
                image_height=height,
                **st.stamp(),
            )
        )
        return end
    if prefix == ESC and cmd == ord("*"):
        if i + 5 > n:
            return truncated()
        m, width = data[i + 2], data[i + 3] | data[i + 4] << 8
        rows = 3 if m in (32, 33) else 1
        end = i + 5 + width * rows
        if end > n:
            return truncated()
        ops.append(
            Op(
                "image",
                i,
                raw=data[i:end],
                value="column",
                data=data[i + 5 : end],
                image_width=width,
                image_height=8 * rows,
                **st.stamp(),
            )
        )
        return end
    if prefix == ESC and cmd == ord("D"):
        end = data.find(b"\x00", i + 2)
        if end < 0:
            return truncated()
        ops.append(Op("tabs", i, raw=data[i : end + 1], value=list(data[i + 2 : end])))
        return end + 1
    if prefix == GS and cmd == ord("V"):
        if i + 3 > n:
            return truncated()
        mode = data[i + 2]
        end = i + 3 + (1 if mode in (65, 66, 97, 98, 103, 104) else 0)
        if end > n:
            return truncated()
        ops.append(Op("cut", i, raw=data[i:end], value=mode))
        return end
    if prefix == GS and cmd == ord("k"):
        return _barcode(data, i, ops, truncated)
    if prefix == GS and cmd == ord("*"):
        if i + 4 > n:
            return truncated()
        end = i + 4 + data[i + 2] * data[i + 3] * 8
        if end > n:
            return truncated()
        ops.append(Op("define_image", i, raw=data[i:end]))
        return end
    if prefix == DLE and cmd == 0x04 and i + 2 < n and data[i + 2] in (7, 8):
        end = i + 4  # DLE EOT 7/8 take one more byte
        if end > n:
            return truncated()
        ops.append(Op("status_request", i, raw=data[i:end], value=data[i + 2]))
        return end

    spec = _FIXED.get((prefix, cmd))
    if spec is None:
        ops.append(Op("unknown", i, raw=data[i : i + 2]))
        return i + 2
    kind, count = spec
    end = i + 2 + count
    if end > n:
        return truncated()
    args = data[i + 2 : end]
    value: Any = args[0] if count == 1 else (list(args) if count else None)
    _apply(kind, value, st)
    ops.append(Op(kind, i, raw=data[i:end], value=value, **st.stamp()))
    return end


def _apply(kind: str, value: Any, st: _State) -> None:
    if kind == "init":
        fresh = _State()
        for name in ("width", "height", "bold", "reverse", "underline", "align", "font", "codepage"):
            setattr(st, name, getattr(fresh, name))
    elif kind == "size":
        st.width, st.height = (value >> 4 & 0x07) + 1, (value & 0x07) + 1
    elif kind == "print_mode":
        # ESC ! shares the size and emphasis state with GS ! and ESC E: the last command wins.
        st.font = value & 0x01
        st.bold = bool(value & 0x08)
        st.height = 2 if value & 0x10 else 1
        st.width = 2 if value & 0x20 else 1
        st.underline = 1 if value & 0x80 else 0
    elif kind == "bold":
        st.bold = bool(value & 0x01)
    elif kind == "reverse":
        st.reverse = bool(value & 0x01)
    elif kind == "underline":
        st.underline = value if value in (0, 1, 2) else value - 48 if value in (48, 49, 50) else 0
    elif kind == "align":
        st.align = _ALIGN.get(value, st.align)
    elif kind == "font":
        st.font = value - 48 if value >= 48 else value
    elif kind == "codepage":
        st.codepage = value


def _two_d(body: bytes, i: int, raw: bytes, st: _State, ops: list[Op]) -> None:
    """GS ( k: cn fn [parameters]. cn 49 is QR code."""
    if len(body) < 2:
        ops.append(Op("truncated", i, raw=raw))
        return
    cn, fn, params = body[0], body[1], body[2:]
    if cn != 49:
        ops.append(Op("2d_code", i, raw=raw, value=(cn, fn), data=params))
        return
    if fn == 65 and params:  # model: n1 (49 model 1, 50 model 2, 51 micro), n2
        st.qr_model = params[0]
        ops.append(Op("qr_model", i, raw=raw, value=params[0] - 48))
    elif fn == 67 and params:  # module size in dots
        st.qr_size = params[0]
        ops.append(Op("qr_size", i, raw=raw, value=params[0]))
    elif fn == 69 and params:  # error correction 48-51: L M Q H
        st.qr_ec = params[0]
        ops.append(Op("qr_ec", i, raw=raw, value="LMQH"[params[0] - 48] if 48 <= params[0] <= 51 else params[0]))
    elif fn == 80 and params:  # store: m (48), data
        st.qr_payload = bytes(params[1:])
        ops.append(Op("qr_store", i, raw=raw, data=st.qr_payload))
    elif fn == 81:  # print the stored symbol
        ops.append(
            Op(
                "qr",
                i,
                raw=raw,
                value={"size": st.qr_size, "ec": "LMQH"[st.qr_ec - 48] if 48 <= st.qr_ec <= 51 else st.qr_ec},
                data=st.qr_payload or b"",
                **st.stamp(),
            )
        )
    else:
        ops.append(Op("qr_other", i, raw=raw, value=fn, data=params))


def _graphics(body: bytes, i: int, raw: bytes, st: _State, ops: list[Op]) -> None:
    """GS ( L / GS 8 L: m fn ... ; fn 112 stores a raster image, fn 50 prints it."""
    if len(body) < 2:
        ops.append(Op("truncated", i, raw=raw))
        return
    fn = body[1]
    if fn == 112 and len(body) >= 10:
        width = body[6] | body[7] << 8
        height = body[8] | body[9] << 8
        st.graphics = (width, height, bytes(body[10:]))
        ops.append(Op("graphics_store", i, raw=raw, image_width=width, image_height=height))
    elif fn == 50:
        width, height, pixels = st.graphics or (0, 0, b"")
        ops.append(
            Op("image", i, raw=raw, value="graphics", data=pixels, image_width=width, image_height=height, **st.stamp())
        )
    else:
        ops.append(Op("graphics_other", i, raw=raw, value=fn))


def _barcode(data: bytes, i: int, ops: list[Op], truncated: Any) -> int:
    n = len(data)
    if i + 3 > n:
        return int(truncated())
    m = data[i + 2]
    if m <= 6:
        end = data.find(b"\x00", i + 3)
        if end < 0:
            return int(truncated())
        ops.append(Op("barcode", i, raw=data[i : end + 1], value=m, data=data[i + 3 : end]))
        return end + 1
    if i + 4 > n:
        return int(truncated())
    end = i + 4 + data[i + 3]
    if end > n:
        return int(truncated())
    ops.append(Op("barcode", i, raw=data[i:end], value=m, data=data[i + 4 : end]))
    return end


# --- helpers for tests --------------------------------------------------------------------------------------


@dataclass
class Line:
    """Text runs printed together, up to a line feed (or anything else that prints the buffer)."""

    runs: list[Op] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(r.text for r in self.runs)

    @property
    def width(self) -> int:
        return max((r.width for r in self.runs), default=1)

    @property
    def height(self) -> int:
        return max((r.height for r in self.runs), default=1)

    @property
    def bold(self) -> bool:
        return bool(self.runs) and all(r.bold for r in self.runs)

    @property
    def reverse(self) -> bool:
        return bool(self.runs) and all(r.reverse for r in self.runs)

    @property
    def align(self) -> str:
        return self.runs[0].align if self.runs else "left"

    @property
    def columns(self) -> int:
        """Font A columns the line takes: characters times their width multiplier."""
        return sum(len(r.text) * r.width for r in self.runs)


_LINE_BREAKS = {"lf", "ff", "feed", "feed_dots", "image", "qr", "cut", "init"}


def lines(ops: list[Op]) -> list[Line]:
    out: list[Line] = []
    current = Line()
    for op in ops:
        if op.kind == "text":
            current.runs.append(op)
        elif op.kind in _LINE_BREAKS:
            if current.runs or op.kind == "lf":
                out.append(current)
            current = Line()
    if current.runs:
        out.append(current)
    return out


def texts_with_size(ops: list[Op]) -> list[tuple[str, int, int]]:
    """Every text run with the width and height multipliers it was printed in."""
    return [(op.text, op.width, op.height) for op in ops if op.kind == "text"]


def qr_payloads(ops: list[Op]) -> list[str]:
    """Payloads of the native QR codes that were printed (stored, then printed)."""
    return [op.data.decode("utf-8", errors="replace") for op in ops if op.kind == "qr"]


def images(ops: list[Op]) -> list[Op]:
    return [op for op in ops if op.kind == "image"]


def has_cut(ops: list[Op]) -> bool:
    return any(op.kind == "cut" for op in ops)


def unknown(ops: list[Op]) -> list[Op]:
    return [op for op in ops if op.kind in ("unknown", "truncated", "control")]


def image_to_pil(op: Op) -> Any:
    """A raster image op as a black-on-white PIL image (Pillow is a test dependency through python-escpos)."""
    from PIL import Image, ImageOps

    if op.value == "column":
        raise ValueError("column-format images are not converted")
    img = Image.frombytes("1", (op.image_width, op.image_height), op.data)  # 1 bits: dots
    return ImageOps.invert(img.convert("L"))
