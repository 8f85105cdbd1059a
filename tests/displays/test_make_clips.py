"""The clip generator: its sound processing, and (where espeak-ng is installed) a real run."""

from __future__ import annotations

import array
import math
import shutil
import wave
from pathlib import Path

import pytest

from displays import make_clips


def test_the_chime_is_two_tones_and_fades_out() -> None:
    chime = make_clips.chime(16_000)
    assert len(chime) == int(16_000 * 1.9)
    assert max(abs(s) for s in chime) == round(0.7 * 32767)
    assert all(abs(s) < 200 for s in chime[-20:]), "a click at the end"
    second = int(16_000 * 0.55)
    assert max(abs(s) for s in chime[second - 400 : second]) < max(abs(s) for s in chime[second : second + 400])


def test_trim_normalize_resample() -> None:
    rate = 22_050
    silence = array.array("h", [0] * rate)
    tone = array.array("h", (int(8000 * math.sin(2 * math.pi * 440 * i / rate)) for i in range(rate // 2)))
    trimmed = make_clips.trim(silence + tone + silence, rate)
    pad = int(rate * make_clips.PAD_S)
    assert abs(len(trimmed) - (len(tone) + 2 * pad)) < 100
    loud = make_clips.normalize(trimmed)
    assert max(abs(s) for s in loud) == round(make_clips.PEAK * 32767)
    resampled = make_clips.resample(loud, rate, 16_000)
    assert len(resampled) == int(len(loud) * 16_000 / rate)
    peak = max(abs(s) for s in resampled)
    assert 0.8 * make_clips.PEAK * 32767 < peak < 32767, "a 440 Hz tone keeps its level"


def test_a_real_run_with_espeak(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed (only needed to regenerate the clips)")
    monkeypatch.setattr(make_clips, "VOCABULARY", {"id": {"tiga": "tiga", "B": "be"}, "en": {"B": "B"}})
    (tmp_path / "id").mkdir()
    (tmp_path / "id" / "tiga.mp3").write_bytes(b"recorded")  # a mall's own recording stays
    assert make_clips.main(["--out", str(tmp_path), "--only-missing"]) == 0
    written = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    assert written == ["chime.wav", "en/B.wav", "id/B.wav", "id/tiga.mp3"]
    for name in ("en/B.wav", "id/B.wav"):
        with wave.open(str(tmp_path / name), "rb") as w:
            assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (1, 2, make_clips.RATE)
            assert 0.1 < w.getnframes() / w.getframerate() < 1.5
