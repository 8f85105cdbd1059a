"""The ticket slip, decoded back from the ESC/POS bytes python-escpos produced."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
import qrcode
from PIL import Image

from printers import layout
from printers.layout import geometry, render_text, render_ticket
from printers.model import PrintableTicket, PrinterConfig
from tests.printers.escpos_decode import (
    Line,
    Op,
    decode,
    has_cut,
    image_to_pil,
    images,
    lines,
    qr_payloads,
    texts_with_size,
    unknown,
)

URL = "https://antrian.banyuwangikab.go.id/t/01JD5X7K3M8Q2W"

# profile, paper -> columns, native QR, cutter. Exact: 180 dpi Epsons have 42 columns on 80 mm paper.
EXPECTED = {
    ("default", 58): (32, True, True),
    ("default", 80): (48, True, True),
    ("TM-T88V", 58): (30, True, True),
    ("TM-T88V", 80): (42, True, True),
    ("TM-T20II", 58): (32, True, True),
    ("TM-T20II", 80): (48, True, True),
    ("TM-T82", 58): (32, True, True),
    ("TM-T82", 80): (48, True, True),
    ("POS-5890", 58): (32, False, False),
    ("POS-5890", 80): (32, False, False),  # its media is 384 dots whatever the paper
}
CASES = sorted(EXPECTED)
IDS = [f"{p}-{mm}mm" for p, mm in CASES]


def ticket(**changes: Any) -> PrintableTicket:
    fields: dict[str, Any] = {
        "ticket_id": "01JD5X7K3M8Q2W",
        "number": "PB123",
        "mall_name": "MPP Kabupaten Banyuwangi",
        "agency_name": "DPMPTSP",
        "service_name": "Persetujuan Bangunan Gedung",
        "service_name_en": None,
        "priority_label": None,
        "people_ahead": 7,
        "wait_text": "15-25 menit",
        "issued_at_text": "Senin, 23/11/2026 08:05 WIB",
        "status_url": URL,
        "footer": "Simpan tiket ini. Pindai kode QR untuk melihat antrian.",
        "reprint": False,
    }
    fields.update(changes)
    return PrintableTicket(**fields)


def printer(profile: str = "TM-T20II", paper_mm: int = 80, logo: str = "") -> PrinterConfig:
    return PrinterConfig(id="kiosk-1", connection="preview", profile=profile, paper_mm=paper_mm, logo=logo)


def slip(t: PrintableTicket, p: PrinterConfig) -> tuple[list[Op], list[Line]]:
    ops = decode(render_ticket(t, p))
    return ops, lines(ops)


def text_lines(ls: list[Line]) -> list[str]:
    return [line.text.strip() for line in ls if line.text.strip()]


@pytest.mark.parametrize(("profile", "paper"), CASES, ids=IDS)
def test_geometry(profile: str, paper: int) -> None:
    geo = geometry(printer(profile, paper))
    assert (geo.columns, geo.native_qr, geo.can_cut) == EXPECTED[profile, paper]
    assert (geo.codepage, geo.codepage_slot) == ("CP437", 0)


@pytest.mark.parametrize(("profile", "paper"), CASES, ids=IDS)
def test_number_is_the_biggest_thing_and_fits(profile: str, paper: int) -> None:
    columns = EXPECTED[profile, paper][0]
    _, ls = slip(ticket(priority_label="PRIORITAS - Lansia", reprint=True), printer(profile, paper))
    numbers = [line for line in ls if line.text == "PB123"]
    assert len(numbers) == 1
    number = numbers[0]
    expected = min(8, columns // 5)  # 58 mm: 6x6 (30 of 32 or 30 columns); 80 mm: 8x8
    assert (number.width, number.height) == (expected, expected)
    assert number.width >= 2 and number.height >= 2
    assert number.bold and number.align == "center"
    assert number.columns <= columns
    others = [line for line in ls if line is not number and line.text]
    assert max(line.width * line.height for line in others) < number.width * number.height
    assert all(line.columns <= columns for line in ls), [(line.text, line.columns) for line in ls]


def test_number_size_follows_its_length() -> None:
    _, ls = slip(ticket(number="A001"), printer("POS-5890", 58))
    assert [(line.width, line.height) for line in ls if line.text == "A001"] == [(8, 8)]
    _, ls = slip(ticket(number="PB1234567"), printer("POS-5890", 58))
    assert [(line.width, line.height) for line in ls if line.text == "PB1234567"] == [(3, 3)]


@pytest.mark.parametrize(("profile", "paper"), CASES, ids=IDS)
def test_texts_on_the_slip(profile: str, paper: int) -> None:
    ops, ls = slip(ticket(service_name_en="Building Approval"), printer(profile, paper))
    texts = text_lines(ls)
    assert texts[0] == "MPP Kabupaten Banyuwangi"
    assert ls[0].bold
    assert "DPMPTSP" in texts
    assert texts.index("Persetujuan Bangunan Gedung") + 1 == texts.index("Building Approval")
    assert "Di depan Anda: 7 orang" in texts
    assert "Perkiraan tunggu: 15-25 menit" in texts
    assert "Senin, 23/11/2026 08:05 WIB" in texts
    assert " ".join(texts[-2:]) == "Simpan tiket ini. Pindai kode QR untuk melihat antrian."
    assert all(line.align == "center" for line in ls if line.text)
    assert unknown(ops) == []


def test_no_english_line_without_an_english_name() -> None:
    _, ls = slip(ticket(), printer())
    texts = text_lines(ls)
    after_service = texts[texts.index("Persetujuan Bangunan Gedung") + 1]
    assert after_service == "-" * 48


def test_one_font_one_code_page_no_print_mode() -> None:
    """STACK-NOTES: switching font mid-ticket can reset the code page. Font first, then ESC t, once each."""
    ops, _ = slip(ticket(service_name="Akta – Kelahiran ’21 ± é"), printer("TM-T88V"))
    kinds = [op.kind for op in ops]
    assert kinds[:4] == ["init", "font", "codepage", "align"]
    assert [op.value for op in ops if op.kind == "font"] == [0]
    assert [op.value for op in ops if op.kind == "codepage"] == [0]
    assert "print_mode" not in kinds  # ESC ! would touch the font bit
    assert {op.font for op in ops if op.kind == "text"} == {0}


@pytest.mark.parametrize(("profile", "paper"), CASES, ids=IDS)
def test_qr_code_carries_the_status_url(profile: str, paper: int) -> None:
    ops, _ = slip(ticket(), printer(profile, paper))
    geo = geometry(printer(profile, paper))
    if EXPECTED[profile, paper][1]:
        assert qr_payloads(ops) == [URL]
        qr = next(op for op in ops if op.kind == "qr")
        assert qr.value == {"size": layout.qr_module_size(URL, geo), "ec": "M"}
        assert qr.value["size"] == {30: 4, 32: 4, 42: 6, 48: 6}[EXPECTED[profile, paper][0]]
        assert qr.align == "center"
        assert images(ops) == []
        return
    assert qr_payloads(ops) == []
    [image] = images(ops)
    assert image.value == "raster"
    assert image.image_width == geo.dots == 384
    assert 120 <= image.image_height <= 384
    assert decode_qr(image) == URL


def decode_qr(image: Op) -> str:
    """Read the printed raster QR back: it must be exactly the expected module grid, and (with zxing-cpp
    installed, a wheel with no system libraries) a real decoder must read the URL from it."""
    pil = image_to_pil(image)
    _match_matrix(pil)
    try:
        import zxingcpp
    except ImportError:
        return URL
    results = zxingcpp.read_barcodes(pil)
    assert len(results) == 1, results
    text: str = results[0].text
    return text


def _match_matrix(pil: Image.Image) -> None:
    """The raster must be exactly the QR code of URL (quiet zone included), centered."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=1, border=4)
    code.add_data(URL)
    code.make(fit=True)
    matrix = code.get_matrix()
    module = pil.height // len(matrix)
    assert module * len(matrix) == pil.height
    left = (pil.width - pil.height) // 2
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            px = pil.getpixel((left + x * module + module // 2, y * module + module // 2))
            assert (px == 0) == dark, (x, y)


def test_qr_without_native_support_decodes_with_zxing() -> None:
    zxingcpp = pytest.importorskip("zxingcpp", reason="zxing-cpp not installed: the matrix comparison still ran")
    ops, _ = slip(ticket(status_url=URL + "?lang=id&x=" + "9" * 40), printer("POS-5890", 58))
    [image] = images(ops)
    [result] = zxingcpp.read_barcodes(image_to_pil(image))
    assert result.text == URL + "?lang=id&x=" + "9" * 40


@pytest.mark.parametrize(("profile", "paper"), CASES, ids=IDS)
def test_feed_and_cut_last(profile: str, paper: int) -> None:
    ops, _ = slip(ticket(), printer(profile, paper))
    if EXPECTED[profile, paper][2]:
        assert [(op.kind, op.value) for op in ops[-2:]] == [("feed", 6), ("cut", 0)]
        assert sum(op.kind == "cut" for op in ops) == 1
    else:  # a POS-5890 has a tear bar: feed past it, send no GS V it does not understand
        assert not has_cut(ops)
        assert (ops[-1].kind, ops[-1].value) == ("feed", 6)


@pytest.mark.parametrize("paper", [58, 80])
def test_priority_and_reprint_are_marked(paper: int) -> None:
    _, ls = slip(ticket(priority_label="PRIORITAS - Lansia", reprint=True), printer("TM-T20II", paper))
    marked = [(line.text, line.bold, line.height) for line in ls if line.reverse]
    assert marked == [(" REPRINT / CETAK ULANG ", True, 1), (" PRIORITAS - Lansia ", True, 2)]
    texts = text_lines(ls)
    assert texts.index("REPRINT / CETAK ULANG") < texts.index("PB123") < texts.index("PRIORITAS - Lansia")
    # Reverse and bold are switched off again: the following lines are plain.
    after = ls[[line.text for line in ls].index(" PRIORITAS - Lansia ") + 1 :]
    assert not any(line.reverse or line.bold or line.height > 1 for line in after)

    _, plain = slip(ticket(), printer("TM-T20II", paper))
    assert not any(line.reverse for line in plain)
    assert "REPRINT / CETAK ULANG" not in text_lines(plain)


def test_long_priority_label_wraps_inside_its_box() -> None:
    label = "PRIORITAS - Penyandang Disabilitas dan Pendamping"
    _, ls = slip(ticket(priority_label=label), printer("POS-5890", 58))
    boxed = [line.text for line in ls if line.reverse]
    assert boxed == [" PRIORITAS - Penyandang ", " Disabilitas dan Pendamping "]


@pytest.mark.parametrize(("profile", "paper"), [("TM-T88V", 80), ("POS-5890", 58), ("default", 80)])
def test_odd_characters_come_out_readable(profile: str, paper: int) -> None:
    t = ticket(
        service_name="Akta – Kelahiran ’21 café",
        service_name_en="Birth Cert — “new” … €5",
        wait_text="± 15-25 menit",
        agency_name="Disnaker · Öffnung ő 中 🙂",
    )
    data = render_ticket(t, printer(profile, paper))
    ops = decode(data)
    texts = text_lines(lines(ops))
    assert "Akta - Kelahiran '21 café" in texts
    assert 'Birth Cert - "new" ... EUR5' in texts
    assert "Perkiraan tunggu: ± 15-25 menit" in texts
    assert "Disnaker · Öffnung o ? ?" in texts  # CP437 has · and Ö; ő loses its accent; no CJK, no emoji
    assert b"caf\x82" in data and b"\xf1 15-25" in data and b"Disnaker \xfa \x99ffnung" in data
    assert [op.value for op in ops if op.kind == "codepage"] == [0]  # no code page switch for them
    assert "\ufffd" not in "".join(texts)
    assert unknown(ops) == []


def test_control_characters_never_reach_the_printer() -> None:
    t = ticket(service_name="Evil\x1bi\x1dV\x00 name\r\nsecond", footer="a\tb\x07c\x1b@")
    ops, ls = slip(t, printer())
    assert [op.kind for op in ops].count("cut") == 1
    assert [op.kind for op in ops].count("init") == 1
    assert unknown(ops) == [] and not any(op.kind == "bel" for op in ops)
    texts = text_lines(ls)
    assert texts[texts.index("EviliV name") + 1] == "second"
    assert texts[-1] == "a bc@"


@pytest.mark.parametrize(("profile", "paper"), CASES, ids=IDS)
def test_long_names_wrap_to_the_column_width(profile: str, paper: int) -> None:
    columns = EXPECTED[profile, paper][0]
    name = "Penerbitan Kartu Identitas Anak dan Kartu Tanda Penduduk Elektronik untuk Warga Pindah Datang"
    english = "Issuance of Child Identity Cards and Electronic ID Cards for Residents Moving In"
    word = "Supercalifragilisticexpialidocious-Pelayanan-Terpadu-Satu-Pintu"
    _, ls = slip(ticket(service_name=name, service_name_en=english, agency_name=word), printer(profile, paper))
    assert all(line.columns <= columns for line in ls), [(line.text, line.columns) for line in ls]
    texts = text_lines(ls)
    start = next(i for i, text in enumerate(texts) if text.startswith("Penerbitan"))
    wrapped = []
    for text in texts[start:]:
        wrapped.append(text)
        if len(" ".join(wrapped)) >= len(name):
            break
    assert " ".join(wrapped) == name and len(wrapped) == {30: 4, 32: 4, 42: 3, 48: 2}[columns]
    assert all(line.bold for line in ls if line.text.strip() in wrapped)
    assert english in " ".join(texts)
    assert word in "".join(texts)  # split, not dropped
    plain = render_text(ticket(service_name=name, service_name_en=english, agency_name=word), printer(profile, paper))
    assert max(len(line) for line in plain.splitlines()) <= columns


@pytest.mark.parametrize(("profile", "paper"), CASES, ids=IDS)
def test_render_text_is_the_same_slip(profile: str, paper: int) -> None:
    t = ticket(service_name_en="Building Approval", priority_label="PRIORITAS - Ibu Hamil", reprint=True)
    p = printer(profile, paper)
    columns = EXPECTED[profile, paper][0]
    text = render_text(t, p)
    shown = [line.strip() for line in text.splitlines() if line.strip()]
    printed = [line.text.strip() for line in lines(decode(render_ticket(t, p))) if line.text.strip()]
    printed_as_text = [f"[{s}]" if s in ("REPRINT / CETAK ULANG", "PRIORITAS - Ibu Hamil") else s for s in printed]
    markers = {"[QR]"} | {s for s in shown if s.startswith("-") and ("potong" in s or "sobek" in s)}
    qr_lines = {line.strip() for line in layout._wrap(URL, columns)}
    assert [s for s in shown if s not in markers and s not in qr_lines] == printed_as_text
    assert "[QR]" in shown and "".join(s for s in shown if s in qr_lines) == URL
    assert all(len(line) <= columns for line in text.splitlines())
    assert shown[-1].strip("-") == ("potong / cut" if EXPECTED[profile, paper][2] else "sobek / tear")


def test_empty_status_url_prints_no_qr() -> None:
    ops, _ = slip(ticket(status_url=""), printer())
    assert qr_payloads(ops) == [] and images(ops) == []


def test_logo_is_printed_when_it_exists(tmp_path: Path) -> None:
    path = tmp_path / "logo.png"
    Image.new("RGB", (800, 200), "black").save(path)
    ops, _ = slip(ticket(), printer("TM-T20II", 58, logo=str(path)))
    [logo] = images(ops)  # the QR is native on a TM-T20II
    assert logo.value == "raster"
    assert logo.image_width == 384  # scaled to 3/4 of the line and padded to it, so centered
    assert logo.image_height == 72  # 800x200 scaled to 288 wide
    order = [op.kind if op.kind != "text" else op.text for op in ops]
    assert order.index("MPP Kabupaten Banyuwangi") < order.index("image") < order.index("DPMPTSP")
    assert image_to_pil(logo).getpixel((192, 36)) == 0 and image_to_pil(logo).getpixel((10, 36)) == 255


def test_missing_logo_warns_once_and_prints_without(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    p = printer(logo=str(tmp_path / "gone.png"))
    with caplog.at_level(logging.WARNING, logger="printers.layout"):
        ops, _ = slip(ticket(), p)
        slip(ticket(), p)
        render_text(ticket(), p)
    assert images(ops) == []
    assert [r.getMessage() for r in caplog.records] == [
        f"printer kiosk-1: logo {tmp_path / 'gone.png'} not found, printing without it"
    ]


def test_unreadable_logo_is_skipped(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "logo.png"
    path.write_bytes(b"not a png")
    with caplog.at_level(logging.WARNING, logger="printers.layout"):
        ops, _ = slip(ticket(), printer(logo=str(path)))
    assert images(ops) == []
    assert len(caplog.records) == 1 and "cannot be read" in caplog.records[0].getMessage()


def test_texts_with_size_reports_the_size_in_effect() -> None:
    runs = texts_with_size(decode(render_ticket(ticket(), printer("TM-T20II", 80))))
    assert ("PB123", 8, 8) in runs
    assert ("Di depan Anda: 7 orang", 1, 1) in runs
