"""What a TV display says when a number is called, and which audio clips say it.

Pure Python, no I/O: `announce("A123", 3, "words", "id")` gives the sentence

    Nomor antrian, A, seratus dua puluh tiga, silakan menuju loket tiga.

and the clips that speak it, in order:

    ["chime", "nomor-antrian", "A", "seratus", "dua", "puluh", "tiga", "silakan-menuju-loket", "tiga"]

Every clip name is a key of `VOCABULARY[lang]` (or `CHIME`): a small, closed set of words, so a mall
can record all of them once. The files live in `displays/static/clips/<lang>/<name>.wav` (the chime in
`displays/static/clips/chime.wav`); `displays/make_clips.py` generates them with espeak-ng.

Styles: "digits" reads the number digit by digit ("nol nol satu"), "words" as a number
("seratus dua puluh tiga"). The counter is always a number in words ("loket dua belas").
Prefix letters are spelled one by one ("PB" -> "P", "B"), each clip saying the letter's name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

STYLES = ("digits", "words")
LANGUAGES = ("id", "en")
CHIME = "chime"
MAX_NUMBER = 999_999  # words style: "sembilan ratus sembilan puluh sembilan ribu ..."

_TICKET = re.compile(r"^([A-Z]{1,2})([0-9]{1,6})$")

# --- Indonesian -------------------------------------------------------------------

_ID_DIGITS = ("nol", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan")
# The letters as Indonesians say them, which is what the clip for each letter says.
_ID_LETTERS = dict(
    zip(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
        ("a be ce de e ef ge ha i je ka el em en o pe ki er es te u ve we eks ye zet".split()),
        strict=True,
    )
)

# --- English ----------------------------------------------------------------------

_EN_ONES = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen"
).split()
_EN_TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")

# Clip name -> what the clip says (the text espeak-ng is given; a recorded voice says the same).
VOCABULARY: dict[str, dict[str, str]] = {
    "id": {
        "nomor-antrian": "nomor antrian",
        "silakan-menuju-loket": "silakan menuju loket",
        **{d: d for d in _ID_DIGITS},
        "sepuluh": "sepuluh",
        "sebelas": "sebelas",
        "belas": "belas",
        "puluh": "puluh",
        "seratus": "seratus",
        "ratus": "ratus",
        "seribu": "seribu",
        "ribu": "ribu",
        **_ID_LETTERS,
    },
    "en": {
        "number": "number",
        "please-go-to-counter": "please go to counter",
        **{w: w for w in _EN_ONES},
        **{w: w for w in _EN_TENS if w},
        "hundred": "hundred",
        "thousand": "thousand",
        **{letter: letter for letter in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"},
    },
}


@dataclass(frozen=True)
class Announcement:
    text: str  # the sentence, as a person reads it (and speech synthesis speaks it as a fallback)
    clips: list[str]  # clip names in playing order, each in VOCABULARY[lang] or CHIME


class BadNumber(ValueError):
    """Not a ticket number such as A017 or PB1000."""


def split_number(number: str) -> tuple[str, str]:
    """("PB", "017") from "PB017"; BadNumber if it is not a prefix of capital letters and digits."""
    m = _TICKET.match(number)
    if m is None:
        raise BadNumber(
            f"{number!r} is not a ticket number: expected 1-2 capital letters and 1-6 digits, e.g. A017 or PB1000"
        )
    return m.group(1), m.group(2)


def words_id(n: int) -> list[str]:
    """Indonesian number words, one clip each: 123 -> ["seratus", "dua", "puluh", "tiga"]."""
    if not 0 <= n <= MAX_NUMBER:
        raise ValueError(f"{n} is outside 0-{MAX_NUMBER}")
    if n == 0:
        return ["nol"]
    return _id_below_million(n)


def _id_below_thousand(n: int) -> list[str]:
    out: list[str] = []
    hundreds, rest = divmod(n, 100)
    if hundreds == 1:
        out.append("seratus")
    elif hundreds:
        out += [_ID_DIGITS[hundreds], "ratus"]
    if rest == 10:
        out.append("sepuluh")
    elif rest == 11:
        out.append("sebelas")
    elif 12 <= rest <= 19:
        out += [_ID_DIGITS[rest - 10], "belas"]
    else:
        tens, ones = divmod(rest, 10)
        if tens:
            out += [_ID_DIGITS[tens], "puluh"]
        if ones:
            out.append(_ID_DIGITS[ones])
    return out


def _id_below_million(n: int) -> list[str]:
    thousands, rest = divmod(n, 1000)
    out: list[str] = []
    if thousands == 1:
        out.append("seribu")
    elif thousands:
        out += [*_id_below_thousand(thousands), "ribu"]
    return out + _id_below_thousand(rest)


def words_en(n: int) -> list[str]:
    """English number words, one clip each: 123 -> ["one", "hundred", "twenty", "three"]."""
    if not 0 <= n <= MAX_NUMBER:
        raise ValueError(f"{n} is outside 0-{MAX_NUMBER}")
    if n == 0:
        return ["zero"]
    thousands, rest = divmod(n, 1000)
    out: list[str] = []
    if thousands:
        out += [*_en_below_thousand(thousands), "thousand"]
    return out + _en_below_thousand(rest)


def _en_below_thousand(n: int) -> list[str]:
    out: list[str] = []
    hundreds, rest = divmod(n, 100)
    if hundreds:
        out += [_EN_ONES[hundreds], "hundred"]
    if rest >= 20:
        tens, ones = divmod(rest, 10)
        out.append(_EN_TENS[tens])
        if ones:
            out.append(_EN_ONES[ones])
    elif rest:
        out.append(_EN_ONES[rest])
    return out


def _en_text(words: list[str]) -> str:
    """Words to text, hyphenating the tens: ["twenty", "three"] -> "twenty-three"."""
    out: list[str] = []
    for w in words:
        if out and out[-1] in _EN_TENS and w in _EN_ONES[1:10]:
            out[-1] = f"{out[-1]}-{w}"
        else:
            out.append(w)
    return " ".join(out)


def announce(number: str, counter_number: int, style: str, lang: str, *, chime: bool = True) -> Announcement:
    """The call of `number` to counter `counter_number`, in `style` ("digits" | "words") and `lang`
    ("id" | "en"). `chime=False` leaves the chime out (for a second language right after the first)."""
    if style not in STYLES:
        raise ValueError(f"unknown announcement style {style!r}: use one of {', '.join(STYLES)}")
    if lang not in LANGUAGES:
        raise ValueError(f"unknown announcement language {lang!r}: use one of {', '.join(LANGUAGES)}")
    if not 0 <= counter_number <= MAX_NUMBER:
        raise ValueError(f"counter number {counter_number} is outside 0-{MAX_NUMBER}")
    prefix, digits = split_number(number)
    letters = list(prefix)
    if lang == "id":
        said = [_ID_DIGITS[int(d)] for d in digits] if style == "digits" else words_id(int(digits))
        counter = words_id(counter_number)
        text = f"Nomor antrian, {' '.join(letters)}, {' '.join(said)}, silakan menuju loket {' '.join(counter)}."
        clips = ["nomor-antrian", *letters, *said, "silakan-menuju-loket", *counter]
    else:
        said = [_EN_ONES[int(d)] for d in digits] if style == "digits" else words_en(int(digits))
        counter = words_en(counter_number)
        said_text = " ".join(said) if style == "digits" else _en_text(said)
        text = f"Number {' '.join(letters)}, {said_text}, please go to counter {_en_text(counter)}."
        clips = ["number", *letters, *said, "please-go-to-counter", *counter]
    return Announcement(text, [CHIME, *clips] if chime else clips)


__all__ = [
    "CHIME",
    "LANGUAGES",
    "MAX_NUMBER",
    "STYLES",
    "VOCABULARY",
    "Announcement",
    "BadNumber",
    "announce",
    "split_number",
    "words_en",
    "words_id",
]
