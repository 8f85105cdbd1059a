"""Generate the TV displays' announcement clips: one short audio file per word the displays say.

    apt-get install espeak-ng          # the offline text-to-speech engine (Debian package)
    .venv/bin/python -m displays.make_clips [--out displays/static/clips] [--speed 140] [--only-missing]

It writes, for every clip name in `displays.announce.VOCABULARY`:

    displays/static/clips/chime.wav           the two-tone chime before each call (synthesized here)
    displays/static/clips/id/<name>.wav       Indonesian (espeak-ng -v id): nomor-antrian, A, satu, belas, ...
    displays/static/clips/en/<name>.wav       English (espeak-ng -v en): number, A, one, twenty, ...

mono, 16-bit, 16 kHz WAV with the silence around each word trimmed and the level normalized, so
the clips play back to back like one sentence. The generated clips are committed: the server and
CI never need espeak-ng.

A recorded human voice: record each word (the list is `VOCABULARY` in displays/announce.py; the
text each clip must say is its value there, e.g. "silakan-menuju-loket" says "silakan menuju loket",
"A" in id/ says "a", "B" says "be"), trim the silence around it, save it under the same name in the
same folder (WAV, or MP3 / OGG, which win over a WAV of the same name), and reload the displays: the
server looks the files up on every call. `--only-missing` regenerates only the clips that are not
there, leaving recorded ones alone. A clip the browser cannot load makes the display fall back to
the browser's own speech synthesis for that call.
"""

from __future__ import annotations

import argparse
import array
import math
import shutil
import subprocess
import sys
import tempfile
import wave
from pathlib import Path

from displays.announce import CHIME, VOCABULARY

OUT = Path(__file__).resolve().parent / "static" / "clips"
RATE = 16_000  # espeak-ng speaks at 22,050 Hz; 16 kHz keeps speech clear and the folder small
VOICES = {"id": "id", "en": "en"}
PEAK = 0.89  # normalized peak (-1 dBFS)
SILENCE = 0.02  # below this fraction of full scale is silence
PAD_S = 0.03  # kept before and after each word


def espeak(binary: str, voice: str, text: str, speed: int, out: Path) -> None:
    ssml = len(text) == 1 and text.isupper()  # an English letter: say its name ("ay"), not the article "a"
    said = f'<speak><say-as interpret-as="characters">{text}</say-as></speak>' if ssml else text
    cmd = [binary, "-v", voice, "-s", str(speed), "-w", str(out), *(["-m"] if ssml else []), said]
    subprocess.run(cmd, check=True, capture_output=True, timeout=30)


def read_mono(path: Path) -> tuple[array.array[int], int]:
    with wave.open(str(path), "rb") as w:
        if w.getsampwidth() != 2 or w.getnchannels() != 1:
            raise ValueError(f"{path}: expected 16-bit mono WAV")
        samples = array.array("h", w.readframes(w.getnframes()))
        if sys.byteorder == "big":
            samples.byteswap()
        return samples, w.getframerate()


def write_mono(path: Path, samples: array.array[int], rate: int) -> None:
    out = array.array("h", samples)
    if sys.byteorder == "big":
        out.byteswap()
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(out.tobytes())


def trim(samples: array.array[int], rate: int) -> array.array[int]:
    """Cut the silence before and after the word, keeping PAD_S of it."""
    threshold = int(32767 * SILENCE)
    loud = [i for i, s in enumerate(samples) if abs(s) > threshold]
    if not loud:
        return samples
    pad = int(rate * PAD_S)
    return samples[max(0, loud[0] - pad) : min(len(samples), loud[-1] + pad)]


def normalize(samples: array.array[int]) -> array.array[int]:
    peak = max((abs(s) for s in samples), default=0)
    if peak == 0:
        return samples
    gain = PEAK * 32767 / peak
    return array.array("h", (max(-32768, min(32767, round(s * gain))) for s in samples))


def resample(samples: array.array[int], src: int, dst: int) -> array.array[int]:
    """Windowed-sinc resampling (low-pass at the new Nyquist frequency), good enough for speech."""
    if src == dst:
        return samples
    ratio = dst / src
    cutoff = min(1.0, ratio) * 0.92
    half = 16  # taps on each side, in source samples
    n_out = int(len(samples) * ratio)
    out = array.array("h", bytes(2 * n_out))
    for j in range(n_out):
        t = j / ratio
        centre = int(t)
        acc = 0.0
        norm = 0.0
        for i in range(centre - half + 1, centre + half + 1):
            if 0 <= i < len(samples):
                x = t - i
                sinc = cutoff if x == 0 else math.sin(math.pi * cutoff * x) / (math.pi * x)
                window = 0.5 + 0.5 * math.cos(math.pi * x / half)  # Hann
                weight = sinc * window
                acc += samples[i] * weight
                norm += weight
        out[j] = max(-32768, min(32767, round(acc / norm))) if norm else 0
    return out


def chime(rate: int = RATE) -> array.array[int]:
    """A two-tone "ding-dong" (E5 then C5), bell-like: a few partials, each decaying."""
    notes = [(659.25, 0.0), (523.25, 0.55)]
    length = 1.9
    n = int(rate * length)
    buf = [0.0] * n
    for freq, start in notes:
        first = int(rate * start)
        for k in range(n - first):
            t = k / rate
            attack = min(1.0, t / 0.008)
            value = 0.0
            for multiple, level, decay in ((1.0, 1.0, 2.6), (2.0, 0.35, 4.0), (3.0, 0.12, 6.0)):
                value += level * math.exp(-decay * t) * math.sin(2 * math.pi * freq * multiple * t)
            buf[first + k] += attack * value
    tail = int(rate * 0.15)  # fade the last moment out: no click at the end
    for k in range(tail):
        buf[n - tail + k] *= 1 - k / tail
    peak = max(abs(v) for v in buf)
    return array.array("h", (round(v / peak * 0.7 * 32767) for v in buf))


def _have(target: Path) -> bool:
    """A clip of this name in any format the displays play (a recorded MP3 counts)."""
    return any(target.with_suffix(ext).exists() for ext in (".wav", ".mp3", ".ogg"))


def make(out: Path, speed: int, only_missing: bool) -> list[Path]:
    binary = shutil.which("espeak-ng")
    if binary is None:
        raise SystemExit("espeak-ng is not installed: apt-get install espeak-ng")
    written = []
    target = out / f"{CHIME}.wav"
    if not (only_missing and _have(target)):
        write_mono(target, chime(), RATE)
        written.append(target)
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "raw.wav"
        for lang, words in VOCABULARY.items():
            for name, text in sorted(words.items()):
                target = out / lang / f"{name}.wav"
                if only_missing and _have(target):
                    continue
                espeak(binary, VOICES[lang], text, speed, raw)
                samples, rate = read_mono(raw)
                samples = normalize(resample(trim(samples, rate), rate, RATE))
                write_mono(target, samples, RATE)
                written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=OUT, help=f"folder for the clips (default {OUT})")
    parser.add_argument("--speed", type=int, default=140, help="words per minute (espeak-ng -s; default 140)")
    parser.add_argument("--only-missing", action="store_true", help="keep clips that exist (e.g. recorded ones)")
    args = parser.parse_args(argv)
    written = make(args.out, args.speed, args.only_missing)
    size = sum(p.stat().st_size for p in args.out.rglob("*.wav"))
    print(f"{len(written)} clips written to {args.out} ({size / 1024:.0f} KiB in the folder)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
