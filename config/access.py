"""Who may use the system: staff accounts and device tokens, as configured; and their secrets.

Passwords are stored as scrypt hashes (memory-hard), device tokens as SHA-256 digests (they are
long random strings, so a fast hash is enough). The demo's secrets are public; a real mall's
config is refused if it uses one (see `is_demo_hash` and `demo_token`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

import msgspec

ROLES = ("counter", "supervisor", "manager", "admin")
DEVICE_KINDS = ("kiosk", "display")
# scrypt cost: 2^14 x 8 x 1 = 16 MiB and ~50 ms per check: slow for a guesser, fine for a login.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
DEMO_PASSWORD = "antrian-demo"
DEMO_SALT = b"antrian-demo-not-secret"


class StaffAccount(msgspec.Struct, frozen=True, tag="staff"):
    username: str
    name: str
    role: str
    agency_id: str | None  # counter staff and supervisors belong to one agency
    counter_ids: tuple[str, ...]  # counter staff: the counters they may work
    password_hash: str


class DeviceAccess(msgspec.Struct, frozen=True, tag="device"):
    kind: str
    id: str
    token_sha256: str
    revoked: bool


class Access(msgspec.Struct, frozen=True):
    staff: dict[str, StaffAccount]
    devices: dict[str, DeviceAccess]  # by token digest
    demo: bool
    session_hours: float
    kiosk_tickets_per_minute: int
    frame_ancestors: tuple[str, ...]  # origins allowed to frame the pages (e.g. an intranet portal)
    retention_days: float  # personal data (a visitor's phone number) is purged after this

    def device_for_token(self, token: str) -> DeviceAccess | None:
        return self.devices.get(token_digest(token))


def hash_password(password: str, salt: bytes | None = None) -> str:
    salt = salt if salt is not None else secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32)
    b64 = base64.b64encode
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${b64(salt).decode()}${b64(digest).decode()}"


def parse_hash(encoded: str) -> tuple[int, int, int, bytes, bytes] | None:
    parts = encoded.split("$")
    if len(parts) != 6 or parts[0] != "scrypt":
        return None
    try:
        n, r, p = int(parts[1]), int(parts[2]), int(parts[3])
        return n, r, p, base64.b64decode(parts[4], validate=True), base64.b64decode(parts[5], validate=True)
    except ValueError:
        return None


def verify_password(password: str, encoded: str) -> bool:
    parsed = parse_hash(encoded)
    if parsed is None:
        return False
    n, r, p, salt, expected = parsed
    digest = hashlib.scrypt(password.encode(), salt=salt, n=n, r=r, p=p, dklen=len(expected), maxmem=2**26)
    return hmac.compare_digest(digest, expected)


def is_demo_hash(encoded: str) -> bool:
    parsed = parse_hash(encoded)
    return parsed is not None and parsed[3] == DEMO_SALT


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def demo_token(kind: str, device_id: str) -> str:
    """The demo's published token for a device (README lists them)."""
    return f"demo-{kind}-{device_id}"
