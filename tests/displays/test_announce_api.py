"""GET /api/announcement on a real server: who may ask, what each display is told to say, the clips
it is pointed at, and the refusals."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from server.announce_api import CLIPS_URL, _clip_files, plan
from tests.displays.variants import allday_with
from tests.support import DISPLAY_TOKEN, KIOSK, ServerProcess, login
from ticketing.catalog import Display

URL = "/api/announcement"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    # tv-1 says numbers as words, in Indonesian then English, three times
    tmp = tmp_path_factory.mktemp("announce-api")
    config = allday_with(tmp / "mall.toml", announce_style="words", announce_repeat=3, announce_english=True)
    proc = ServerProcess(tmp / "journal.sqlite3", config=config).start()
    yield proc
    proc.stop()


@pytest.fixture(scope="module")
def display(server: ServerProcess) -> Iterator[httpx.Client]:
    with httpx.Client(
        base_url=server.base_url, headers={"Authorization": f"Bearer {DISPLAY_TOKEN}"}, timeout=10
    ) as client:
        yield client


@pytest.fixture(scope="module")
def admin(server: ServerProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.base_url, timeout=10) as client:
        yield login(client, "admin")


def test_a_display_gets_its_own_settings(display: httpx.Client) -> None:
    r = display.get(URL, params={"number": "A123", "counter_id": "loket-3"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["number"], body["counter_id"], body["display_id"], body["repeat"]) == ("A123", "loket-3", "tv-1", 3)
    id_part, en_part = body["parts"]
    assert id_part["lang"] == "id"
    assert id_part["text"] == "Nomor antrian, A, seratus dua puluh tiga, silakan menuju loket tiga."
    assert id_part["clips"] == [
        "chime",
        "nomor-antrian",
        "A",
        "seratus",
        "dua",
        "puluh",
        "tiga",
        "silakan-menuju-loket",
        "tiga",
    ]
    assert id_part["urls"][:3] == [f"{CLIPS_URL}chime.wav", f"{CLIPS_URL}id/nomor-antrian.wav", f"{CLIPS_URL}id/A.wav"]
    assert en_part["lang"] == "en"
    assert en_part["text"] == "Number A, one hundred twenty-three, please go to counter three."
    assert en_part["clips"][0] == "number", "the chime is played once, before the first language"
    assert en_part["urls"][0] == f"{CLIPS_URL}en/number.wav"
    for part in body["parts"]:
        assert len(part["urls"]) == len(part["clips"])
        for url in part["urls"]:
            clip = display.get(url)
            assert clip.status_code == 200, url
            assert clip.headers["content-type"].startswith("audio/"), url
            assert clip.content[:4] == b"RIFF"


def test_staff_get_the_mall_defaults_or_a_displays_settings(admin: httpx.Client) -> None:
    body = admin.get(URL, params={"number": "B017", "counter_id": "loket-3"}).json()
    assert body["repeat"] == 2 and body["display_id"] is None
    assert [p["text"] for p in body["parts"]] == ["Nomor antrian, B, nol satu tujuh, silakan menuju loket tiga."]
    body = admin.get(URL, params={"number": "B017", "counter_id": "loket-3", "display_id": "tv-1"}).json()
    assert body["repeat"] == 3 and [p["lang"] for p in body["parts"]] == ["id", "en"]
    assert body["parts"][0]["text"] == "Nomor antrian, B, tujuh belas, silakan menuju loket tiga."
    r = admin.get(URL, params={"number": "B017", "counter_id": "loket-3", "display_id": "tv-99"})
    assert r.status_code == 404 and "tv-99" in r.json()["detail"]


def test_who_may_ask(server: ServerProcess, display: httpx.Client) -> None:
    params = {"number": "A001", "counter_id": "loket-1"}
    base = server.base_url
    r = httpx.get(f"{base}{URL}", params=params, timeout=10)
    assert r.status_code == 401, r.text
    assert "log in" in r.json()["detail"]
    r = httpx.get(f"{base}{URL}", params=params, headers=KIOSK, timeout=10)
    assert r.status_code == 403, r.text
    assert "kiosk" in r.json()["detail"]
    r = httpx.get(
        f"{base}{URL}", params=params, headers={"Authorization": "Bearer demo-display-tv-revoked"}, timeout=10
    )
    assert r.status_code == 401 and "revoked" in r.json()["detail"]
    r = httpx.get(f"{base}{URL}", params=params, headers={"Authorization": "Bearer nonsense"}, timeout=10)
    assert r.status_code == 401
    for role in ("loket1", "manajer", "spv-imigrasi"):
        with httpx.Client(base_url=base, timeout=10) as staff:
            assert login(staff, role).get(URL, params=params).status_code == 200, role
    # a display speaks only as itself
    r = display.get(URL, params={**params, "display_id": "tv-revoked"})
    assert r.status_code == 403 and "tv-1" in r.json()["detail"]
    assert display.get(URL, params={**params, "display_id": "tv-1"}).status_code == 200


@pytest.mark.parametrize("number", ["A01 7", "a017", "017", "A-017", "ABC017", "A1234567", "Ä017"])
def test_a_malformed_number_is_422(display: httpx.Client, number: str) -> None:
    r = display.get(URL, params={"number": number, "counter_id": "loket-1"})
    assert r.status_code == 422, r.text
    assert "not a ticket number" in r.json()["detail"] and "A017" in r.json()["detail"]


def test_an_unknown_counter_is_404(display: httpx.Client) -> None:
    r = display.get(URL, params={"number": "A001", "counter_id": "loket-99"})
    assert r.status_code == 404
    assert "loket-99" in r.json()["detail"]


def test_missing_parameters_are_400(display: httpx.Client) -> None:
    assert display.get(URL, params={"counter_id": "loket-1"}).status_code == 400
    assert display.get(URL, params={"number": "A001"}).status_code == 400


# --- clips a mall recorded itself win over the generated ones ------------------------------------


def test_recorded_clips_replace_generated_ones(tmp_path: Path) -> None:
    (tmp_path / "id").mkdir()
    for name in ("chime.wav", "id/nomor-antrian.wav", "id/A.wav", "id/satu.wav", "id/satu.mp3", "id/README.txt"):
        (tmp_path / name).write_bytes(b"")
    files = _clip_files(tmp_path)
    assert files == {
        "chime": "chime.wav",
        "id/nomor-antrian": "id/nomor-antrian.wav",
        "id/A": "id/A.wav",
        "id/satu": "id/satu.mp3",
    }
    display = Display("tv", "TV", (), (), ("id",))
    (part,) = plan("A1", 1, display, files)
    assert part.clips == ["chime", "nomor-antrian", "A", "satu", "silakan-menuju-loket", "satu"]
    assert part.urls == [
        f"{CLIPS_URL}chime.wav",
        f"{CLIPS_URL}id/nomor-antrian.wav",
        f"{CLIPS_URL}id/A.wav",
        f"{CLIPS_URL}id/satu.mp3",
        None,  # no such file: the display says this part with speech synthesis
        f"{CLIPS_URL}id/satu.mp3",
    ]


def test_the_shipped_folder_has_every_clip() -> None:
    files = _clip_files()
    display = Display("tv", "TV", (), (), ("id", "en"), announce_style="words", announce_english=True)
    for n in (0, 17, 123, 1000, 9999):
        for part in plan(f"PB{n:03d}", 48, display, files):
            assert None not in part.urls, part
