"""`GET /api/announcement`: what a TV display says for a call, and the audio clips that say it.

The display asks once per live call and plays the answer: each part's clips in order (the first
part starts with the chime), all parts `repeat` times. The words come from `displays.announce`;
the clips are files under displays/static/clips/ (served at /static/display/clips/), looked up on
every request, so a mall can drop in recorded ones (WAV, MP3 or OGG) without a restart.
"""

from __future__ import annotations

import os
from pathlib import Path

import msgspec
from litestar import get
from litestar.exceptions import PermissionDeniedException

from config.access import DeviceAccess
from displays.announce import CHIME, BadNumber, announce
from server import auth
from server.auth import Principal
from server.floor import Floor
from server.settings import ROOT
from ticketing.catalog import Display
from ticketing.errors import Invalid, NotFound

CLIPS_DIR = ROOT / "displays" / "static" / "clips"
CLIPS_URL = "/static/display/clips/"
# A recorded clip (MP3 or OGG) wins over the generated WAV of the same name.
EXTENSIONS = (".mp3", ".ogg", ".wav")
DEFAULTS = Display(id="", name="", agency_ids=(), counter_ids=(), languages=("id",))  # for staff: the mall's defaults


class AnnouncementPart(msgspec.Struct):
    lang: str  # "id" or "en"
    text: str  # the sentence; the browser's speech synthesis says it when a clip cannot be played
    clips: list[str]  # clip names in playing order
    urls: list[str | None]  # where each clip is; None: no such file here


class AnnouncementPlan(msgspec.Struct):
    number: str
    counter_id: str
    display_id: str | None
    repeat: int  # how many times to play all the parts
    parts: list[AnnouncementPart]


def _clip_files(base: Path = CLIPS_DIR) -> dict[str, str]:
    """Clip path without extension ("id/satu", "chime") -> its file's path under `base`."""
    found: dict[str, tuple[int, str]] = {}
    for folder in ("", "id", "en"):
        try:
            names = os.listdir(base / folder)
        except OSError:
            continue
        for name in names:
            stem, ext = os.path.splitext(name)
            if ext.lower() not in EXTENSIONS:
                continue
            key = f"{folder}/{stem}" if folder else stem
            rank = EXTENSIONS.index(ext.lower())
            if key not in found or rank < found[key][0]:
                found[key] = (rank, f"{folder}/{name}" if folder else name)
    return {key: path for key, (_, path) in found.items()}


def _display_for(floor: Floor, principal: Principal, display_id: str | None) -> Display:
    if isinstance(principal, DeviceAccess):  # a display speaks as itself
        if display_id not in (None, principal.id):
            raise PermissionDeniedException(
                f"This display is {principal.id!r}: it may ask only for its own announcements."
            )
        display_id = principal.id
    if display_id is None:
        return DEFAULTS
    display = floor.mall.displays.get(display_id)
    if display is None:
        raise NotFound(f"Unknown display '{display_id}': see / for the displays of this mall.")
    return display


def plan(number: str, counter_number: int, display: Display, files: dict[str, str]) -> list[AnnouncementPart]:
    languages = ["id", "en"] if display.announce_english else ["id"]
    parts = []
    for i, lang in enumerate(languages):
        said = announce(number, counter_number, display.announce_style, lang, chime=i == 0)
        urls: list[str | None] = []
        for clip in said.clips:
            path = files.get(clip if clip == CHIME else f"{lang}/{clip}")
            urls.append(CLIPS_URL + path if path else None)
        parts.append(AnnouncementPart(lang, said.text, list(said.clips), urls))
    return parts


@get(
    "/api/announcement",
    summary="What a display says for a call: the text and its audio clips (displays and staff)",
    tags=["floor"],
)
async def announcement(
    floor: Floor, principal: Principal, number: str, counter_id: str, display_id: str | None = None
) -> AnnouncementPlan:
    auth.require_staff_or_display(principal)
    display = _display_for(floor, principal, display_id)
    counter = floor.mall.counters.get(counter_id)
    if counter is None:
        raise NotFound(f"Unknown counter '{counter_id}': use a counter id from /api/floor.")
    try:
        parts = plan(number, counter.number, display, _clip_files())
    except BadNumber as exc:
        raise Invalid(f"{exc}.", "bad_number") from None
    return AnnouncementPlan(number, counter.id, display.id or None, display.announce_repeat, parts)


__all__ = ["AnnouncementPart", "AnnouncementPlan", "announcement", "plan"]
