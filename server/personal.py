"""Personal data (Indonesia's PDP law 27/2022): the least we can, only with consent, never in the journal.

A visitor may leave a phone number (to be told when their turn nears). It is kept in its own
store, keyed by ticket id, and expires after `site.retention_days`: the journal, the displays,
the logs and the reports never hold it, and every screen shows it masked.
"""

from __future__ import annotations

import re

from litestar.stores.base import Store

from ticketing.errors import Invalid

_DIGITS = re.compile(r"[\s().-]")
_MOBILE = re.compile(r"^(?:\+62|62|0)(8\d{7,12})$")


def normalize_phone(raw: str, consent: bool) -> str:
    """An Indonesian mobile number as +628..., or a refusal a visitor understands."""
    if not consent:
        raise Invalid(
            "Nomor HP hanya disimpan dengan persetujuan Anda. "
            "A phone number is kept only with consent: set phone_consent to true, or leave the number out."
        )
    match = _MOBILE.match(_DIGITS.sub("", raw))
    if match is None:
        raise Invalid("Nomor HP tidak valid. Give an Indonesian mobile number, e.g. 0812 3456 7890.")
    return f"+62{match.group(1)}"


def mask_phone(phone: str) -> str:
    """+6281234567890 -> +62 812-****-890: enough for the visitor to recognise, too little to use."""
    national = phone.removeprefix("+62")
    return f"+62 {national[:3]}-****-{national[-3:]}"


class PersonalData:
    def __init__(self, store: Store, retention_days: float) -> None:
        self.store = store
        self.retention_seconds = max(1, int(retention_days * 86400))

    async def keep_phone(self, ticket_id: str, phone: str) -> None:
        await self.store.set(f"phone:{ticket_id}", phone, expires_in=self.retention_seconds)

    async def masked_phone(self, ticket_id: str) -> str | None:
        phone = await self.store.get(f"phone:{ticket_id}")
        return mask_phone(phone.decode()) if phone else None

    async def purge_expired(self) -> None:
        """Delete expired entries now (Redis expires them by itself; files wait to be swept)."""
        sweep = getattr(self.store, "delete_expired", None)
        if sweep is not None:
            await sweep()
