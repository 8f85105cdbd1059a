"""The spoken call: every number 0-9999 in both styles and both languages, checked by parsing the
words back with an independent parser, plus the exact sentences for the numbers people get wrong."""

from __future__ import annotations

import wave
from pathlib import Path

import pytest

from displays.announce import CHIME, VOCABULARY, Announcement, BadNumber, announce, words_en, words_id

CLIPS = Path(__file__).resolve().parents[2] / "displays" / "static" / "clips"
ALL = range(10_000)

# --- an independent reader of Indonesian and English number words ------------------------------

ID_DIGITS = {"satu": 1, "dua": 2, "tiga": 3, "empat": 4, "lima": 5, "enam": 6, "tujuh": 7, "delapan": 8, "sembilan": 9}
EN_ONES = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
}
EN_TEENS = {
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
EN_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}


def parse_id(text: str) -> int:
    """Indonesian number words -> int, refusing anything that is not the one proper way to say it
    (places strictly descending, 'se-' forms for one ten/hundred/thousand, 'nol' only alone)."""
    tokens = text.split()
    if tokens == ["nol"]:
        return 0
    assert tokens, "no words"
    thousands = 0
    group = 0  # the part below a thousand being read
    place = 10_000  # the place last filled: the next must be lower
    pending: int | None = None  # a digit word waiting for its multiplier

    def fill(top: int, value: int, bottom: int) -> None:
        """Add a value that takes the places from `top` down to `bottom` (sebelas: tens and ones)."""
        nonlocal group, place
        assert top < place, f"{text!r}: places out of order"
        group += value
        place = bottom

    for tok in tokens:
        if tok in ID_DIGITS:
            assert pending is None, f"{text!r}: two digits in a row"
            pending = ID_DIGITS[tok]
            continue
        if tok in ("ribu", "ratus", "puluh", "belas"):
            assert pending is not None and pending >= 2, f"{text!r}: {tok!r} needs a digit 2-9 (or a se- form)"
            d, pending = pending, None
            if tok == "ratus":
                fill(100, d * 100, 100)
            elif tok == "puluh":
                fill(10, d * 10, 10)
            elif tok == "belas":
                fill(10, 10 + d, 1)
            else:  # ribu after a single digit: "dua ribu"
                assert place == 10_000 and group == 0, f"{text!r}: 'ribu' must come first"
                thousands, place = d, 1000
            continue
        assert pending is None, f"{text!r}: digit before {tok!r}"
        if tok == "seribu":
            assert place == 10_000, f"{text!r}: 'seribu' must come first"
            thousands, place = 1, 1000
        elif tok == "seratus":
            fill(100, 100, 100)
        elif tok == "sepuluh":
            fill(10, 10, 1)
        elif tok == "sebelas":
            fill(10, 11, 1)
        else:
            raise AssertionError(f"{text!r}: unknown word {tok!r}")
    if pending is not None:
        fill(1, pending, 1)
    value = thousands * 1000 + group
    assert value > 0, f"{text!r}: zero said with other words"
    return value


def parse_en(text: str) -> int:
    tokens = text.replace("-", " ").split()
    if tokens == ["zero"]:
        return 0
    total, group = 0, 0
    for tok in tokens:
        if tok in EN_ONES:
            group += EN_ONES[tok]
        elif tok in EN_TEENS:
            group += EN_TEENS[tok]
        elif tok in EN_TENS:
            group += EN_TENS[tok]
        elif tok == "hundred":
            assert 1 <= group <= 9, text
            group *= 100
        elif tok == "thousand":
            assert 1 <= group <= 999 and total == 0, text
            total, group = group * 1000, 0
        else:
            raise AssertionError(f"{text!r}: unknown word {tok!r}")
    return total + group


def said_number(a: Announcement, lang: str) -> str:
    """The number part of the sentence: between the letters and the counter."""
    # "Nomor antrian, A, <number>, silakan ..." / "Number A, <number>, please ..."
    return a.text.split(", ")[2 if lang == "id" else 1]


def ticket(n: int, prefix: str = "A") -> str:
    return f"{prefix}{n:03d}"


# --- every number ---------------------------------------------------------------------------


def test_the_parser_refuses_improper_indonesian() -> None:
    wrong_ones = ("satu puluh", "satu ratus", "satu ribu", "sepuluh satu", "dua puluh sepuluh", "puluh", "nol satu")
    wrong_ones += ("dua belas satu", "seratus seribu", "tiga tiga", "seratus dua ratus", "dua puluh tiga puluh")
    for wrong in wrong_ones:
        with pytest.raises(AssertionError):
            parse_id(wrong)
    assert parse_id("seribu seratus sebelas") == 1111


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("style", ["digits", "words"])
def test_every_number_has_text_and_known_clips(style: str, lang: str) -> None:
    vocabulary = set(VOCABULARY[lang]) | {CHIME}
    for n in ALL:
        a = announce(ticket(n), 3, style, lang)
        assert a.text and a.text.endswith("."), n
        assert a.clips[0] == CHIME
        unknown = set(a.clips) - vocabulary
        assert not unknown, f"{ticket(n)}: clips {unknown} not in VOCABULARY[{lang!r}]"


def test_words_style_round_trips_for_every_number() -> None:
    for n in ALL:
        assert parse_id(said_number(announce(ticket(n), 1, "words", "id"), "id")) == n, n
        assert parse_en(said_number(announce(ticket(n), 1, "words", "en"), "en")) == n, n
        # the clips say the same words as the text
        assert parse_id(" ".join(words_id(n))) == n
        assert parse_en(" ".join(words_en(n))) == n


def test_digits_style_says_every_digit() -> None:
    id_digit = {"nol": "0", **{w: str(d) for w, d in ID_DIGITS.items()}}
    en_digit = {"zero": "0", **{w: str(d) for w, d in EN_ONES.items()}}
    for n in ALL:
        number = ticket(n)
        said = said_number(announce(number, 1, "digits", "id"), "id").split()
        assert "".join(id_digit[w] for w in said) == number[1:], number
        said = said_number(announce(number, 1, "digits", "en"), "en").split()
        assert "".join(en_digit[w] for w in said) == number[1:], number


def test_counter_numbers_are_said_as_words() -> None:
    for n in range(1, 1000):
        a = announce("A001", n, "digits", "id")
        assert parse_id(a.text.removesuffix(".").split("silakan menuju loket ")[1]) == n
        e = announce("A001", n, "digits", "en")
        assert parse_en(e.text.removesuffix(".").split("please go to counter ")[1]) == n


# --- the numbers people get wrong -----------------------------------------------------------

TRICKY = {
    0: ("nol", "zero"),
    10: ("sepuluh", "ten"),
    11: ("sebelas", "eleven"),
    12: ("dua belas", "twelve"),
    19: ("sembilan belas", "nineteen"),
    20: ("dua puluh", "twenty"),
    21: ("dua puluh satu", "twenty-one"),
    99: ("sembilan puluh sembilan", "ninety-nine"),
    100: ("seratus", "one hundred"),
    101: ("seratus satu", "one hundred one"),
    110: ("seratus sepuluh", "one hundred ten"),
    111: ("seratus sebelas", "one hundred eleven"),
    119: ("seratus sembilan belas", "one hundred nineteen"),
    200: ("dua ratus", "two hundred"),
    999: ("sembilan ratus sembilan puluh sembilan", "nine hundred ninety-nine"),
    1000: ("seribu", "one thousand"),
    1001: ("seribu satu", "one thousand one"),
    1010: ("seribu sepuluh", "one thousand ten"),
    1100: ("seribu seratus", "one thousand one hundred"),
    1111: ("seribu seratus sebelas", "one thousand one hundred eleven"),
    2000: ("dua ribu", "two thousand"),
    9999: ("sembilan ribu sembilan ratus sembilan puluh sembilan", "nine thousand nine hundred ninety-nine"),
}
ID_DIGIT_WORDS = ["nol", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan"]
EN_DIGIT_WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]


@pytest.mark.parametrize("n", sorted(TRICKY))
def test_tricky_numbers(n: int) -> None:
    id_words, en_words = TRICKY[n]
    number = ticket(n)
    id_digits = " ".join(ID_DIGIT_WORDS[int(d)] for d in number[1:])
    en_digits = " ".join(EN_DIGIT_WORDS[int(d)] for d in number[1:])
    assert announce(number, 3, "words", "id").text == f"Nomor antrian, A, {id_words}, silakan menuju loket tiga."
    assert announce(number, 3, "digits", "id").text == f"Nomor antrian, A, {id_digits}, silakan menuju loket tiga."
    assert announce(number, 3, "words", "en").text == f"Number A, {en_words}, please go to counter three."
    assert announce(number, 3, "digits", "en").text == f"Number A, {en_digits}, please go to counter three."


def test_the_examples_people_know() -> None:
    assert announce("A001", 3, "digits", "id") == Announcement(
        "Nomor antrian, A, nol nol satu, silakan menuju loket tiga.",
        ["chime", "nomor-antrian", "A", "nol", "nol", "satu", "silakan-menuju-loket", "tiga"],
    )
    assert announce("A123", 3, "words", "id") == Announcement(
        "Nomor antrian, A, seratus dua puluh tiga, silakan menuju loket tiga.",
        ["chime", "nomor-antrian", "A", "seratus", "dua", "puluh", "tiga", "silakan-menuju-loket", "tiga"],
    )
    assert announce("A123", 3, "digits", "en").text == "Number A, one two three, please go to counter three."
    assert announce("A123", 3, "words", "en", chime=False) == Announcement(
        "Number A, one hundred twenty-three, please go to counter three.",
        ["number", "A", "one", "hundred", "twenty", "three", "please-go-to-counter", "three"],
    )
    # two letters are spelled one by one; a counter past ten in words
    pb = announce("PB017", 12, "words", "id")
    assert pb.text == "Nomor antrian, P B, tujuh belas, silakan menuju loket dua belas."
    assert pb.clips == ["chime", "nomor-antrian", "P", "B", "tujuh", "belas", "silakan-menuju-loket", "dua", "belas"]
    assert announce("AK1000", 48, "digits", "id").text == (
        "Nomor antrian, A K, satu nol nol nol, silakan menuju loket empat puluh delapan."
    )


@pytest.mark.parametrize("number", ["", "A", "017", "a017", "A-017", "ABC017", "A1234567", "A01 7", "Ä017"])
def test_malformed_numbers_are_refused(number: str) -> None:
    with pytest.raises(BadNumber, match="not a ticket number"):
        announce(number, 1, "digits", "id")


def test_unknown_style_or_language_is_refused() -> None:
    with pytest.raises(ValueError, match="style"):
        announce("A001", 1, "angka", "id")
    with pytest.raises(ValueError, match="language"):
        announce("A001", 1, "digits", "jv")


# --- the clips shipped for the vocabulary ---------------------------------------------------


def test_every_vocabulary_word_has_a_clip_and_nothing_else_is_shipped() -> None:
    expected = {f"{CHIME}.wav"} | {f"{lang}/{name}.wav" for lang, words in VOCABULARY.items() for name in words}
    shipped = {p.relative_to(CLIPS).as_posix() for p in CLIPS.rglob("*") if p.is_file()}
    assert shipped == expected
    for rel in sorted(shipped):
        with wave.open(str(CLIPS / rel), "rb") as w:
            assert (w.getnchannels(), w.getsampwidth()) == (1, 2), rel
            seconds = w.getnframes() / w.getframerate()
            assert 0.1 < seconds < 2.5, (rel, seconds)


def test_the_clip_folder_stays_small() -> None:
    size = sum(p.stat().st_size for p in CLIPS.rglob("*") if p.is_file())
    assert size < 2 * 1024 * 1024, f"{size} bytes"


def test_the_vocabulary_is_small_and_closed() -> None:
    assert len(VOCABULARY["id"]) < 60 and len(VOCABULARY["en"]) < 70
    used: dict[str, set[str]] = {"id": set(), "en": set()}
    for n in ALL:
        for lang in used:
            for style in ("digits", "words"):
                used[lang] |= set(announce(ticket(n, "AZ"), n % 100 + 1, style, lang, chime=False).clips)
    letters = set("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    for lang, words in used.items():
        assert set(VOCABULARY[lang]) - letters == words - letters, f"{lang}: vocabulary words never used"
