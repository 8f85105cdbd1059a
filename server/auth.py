"""Who is asking, and may they? Staff log in (a server-side session cookie); devices send a token.

Every handler asks one question here (`require_*`), so the rules live in one place:
- counter staff act only on their own counters; supervisors on any counter of their agency
  (and they alone call a specific ticket); managers read everything and act on nothing;
  admins may do anything;
- a kiosk reads the catalog and issues tickets for itself; a display only reads.
"""

from __future__ import annotations

import hmac
import secrets
from typing import Any

import msgspec
from litestar.connection import ASGIConnection
from litestar.enums import ScopeType
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException

from config.access import Access, DeviceAccess, StaffAccount
from ticketing.catalog import Counter, Mall

Principal = StaffAccount | DeviceAccess | None
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_HEADER = "X-CSRF-Token"
SESSION_USER = "user"
SESSION_CSRF = "csrf"
SESSION_STATE = "antrian_session"  # where resolve() leaves the session for /api/me


class Me(msgspec.Struct):
    kind: str  # "staff", "kiosk", "display" or "anonymous"
    id: str | None
    name: str | None
    role: str | None
    agency_id: str | None
    counter_ids: list[str]
    csrf_token: str | None


def _bearer(connection: ASGIConnection[Any, Any, Any, Any]) -> str | None:
    header = connection.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    if connection.scope["type"] == ScopeType.WEBSOCKET:  # a browser cannot set headers on a websocket
        return connection.query_params.get("token")
    return None


def resolve(
    connection: ASGIConnection[Any, Any, Any, Any], access: Access, session: dict[str, Any] | None = None
) -> Principal:
    """The device or staff member behind a request (`session`: its staff session, if any); None for a
    visitor. Raises 401/403 for a bad token, a stale session, a missing CSRF token, or a websocket
    from another site."""
    token = _bearer(connection)
    if token is not None:
        device = access.device_for_token(token)
        if device is None:
            raise NotAuthorizedException("Unknown device token: check the token configured on this device.")
        if device.revoked:
            raise NotAuthorizedException("This device's token has been revoked: ask the administrator for a new one.")
        return device
    if session is None:
        return None
    connection.scope.setdefault("state", {})[SESSION_STATE] = session
    username = session.get(SESSION_USER)
    if not isinstance(username, str):
        return None
    account = access.staff.get(username)
    if account is None:
        raise NotAuthorizedException("This account no longer exists: log in again.")
    if connection.scope["type"] == ScopeType.WEBSOCKET:
        origin = connection.headers.get("origin")
        if origin is not None and origin.split("://", 1)[-1] != connection.headers.get("host"):
            raise PermissionDeniedException("A staff websocket must come from this server's own pages.")
    elif connection.scope.get("method", "GET") not in SAFE_METHODS:
        sent = connection.headers.get(CSRF_HEADER, "").encode("utf-8", "surrogateescape")
        if not hmac.compare_digest(sent, str(session.get(SESSION_CSRF, "")).encode()):
            raise PermissionDeniedException(f"Missing or wrong {CSRF_HEADER}: reload the page and try again.")
    return account


def new_csrf_token() -> str:
    return secrets.token_urlsafe(24)


def me(principal: Principal, csrf: str | None) -> Me:
    if isinstance(principal, StaffAccount):
        return Me(
            "staff",
            principal.username,
            principal.name,
            principal.role,
            principal.agency_id,
            list(principal.counter_ids),
            csrf,
        )
    if isinstance(principal, DeviceAccess):
        return Me(principal.kind, principal.id, None, None, None, [], None)
    return Me("anonymous", None, None, None, None, [], None)


def _who(principal: Principal) -> str:
    if isinstance(principal, StaffAccount):
        return f"{principal.name} ({principal.role})"
    if isinstance(principal, DeviceAccess):
        return f"the {principal.kind} {principal.id!r}"
    return "a visitor"


def _login_needed(principal: Principal) -> None:
    if principal is None:
        raise NotAuthorizedException("Please log in (staff) or use this device's token.")


def require_staff_or_display(principal: Principal) -> None:
    """Reading the whole floor: staff of any role and displays."""
    _login_needed(principal)
    if isinstance(principal, DeviceAccess) and principal.kind != "display":
        raise PermissionDeniedException(f"{_who(principal)} may not read the floor.")


def require_staff_or_kiosk(principal: Principal) -> None:
    _login_needed(principal)
    if isinstance(principal, DeviceAccess) and principal.kind != "kiosk":
        raise PermissionDeniedException(f"{_who(principal)} may not read the printers.")


def require_reprint(principal: Principal, kiosk_id: str | None, agency_id: str) -> None:
    """A reprint: the kiosk that issued the ticket, a supervisor of its agency, or an admin."""
    _login_needed(principal)
    if isinstance(principal, DeviceAccess):
        if principal.kind == "kiosk" and principal.id == kiosk_id:
            return
    elif isinstance(principal, StaffAccount):
        if principal.role == "admin" or (principal.role == "supervisor" and principal.agency_id == agency_id):
            return
    raise PermissionDeniedException(f"{_who(principal)} may not reprint this ticket: its kiosk or a supervisor can.")


def require_issuer(principal: Principal, kiosk_id: str | None) -> str | None:
    """Issuing a ticket: a kiosk for itself, or a supervisor or admin on a visitor's behalf.
    Returns the kiosk id to record."""
    _login_needed(principal)
    if isinstance(principal, DeviceAccess):
        if principal.kind != "kiosk":
            raise PermissionDeniedException(f"{_who(principal)} may not issue tickets.")
        if kiosk_id not in (None, principal.id):
            raise PermissionDeniedException(f"This kiosk is {principal.id!r}: it may issue tickets only for itself.")
        return principal.id
    assert isinstance(principal, StaffAccount)
    if principal.role not in ("supervisor", "admin"):
        raise PermissionDeniedException(f"{_who(principal)} may not issue tickets: a kiosk or a supervisor can.")
    return kiosk_id


def may_act(principal: Principal, counter: Counter, action: str) -> bool:
    if not isinstance(principal, StaffAccount):
        return False
    if principal.role == "admin":
        return True
    if principal.role == "supervisor":
        return principal.agency_id == counter.agency_id
    if principal.role == "counter":
        return counter.id in principal.counter_ids and action != "call"
    return False


def require_counter_action(principal: Principal, counter: Counter, action: str) -> None:
    _login_needed(principal)
    if not may_act(principal, counter, action):
        if isinstance(principal, StaffAccount) and principal.role == "counter" and action == "call":
            raise PermissionDeniedException("Only a supervisor may call a specific ticket.")
        raise PermissionDeniedException(f"{_who(principal)} may not act on {counter.label}.")


def require_counter_view(principal: Principal, counter: Counter) -> None:
    _login_needed(principal)
    if isinstance(principal, StaffAccount) and principal.role == "manager":
        return
    if not may_act(principal, counter, "view"):
        raise PermissionDeniedException(f"{_who(principal)} may not open {counter.label}.")


def require_role(principal: Principal, *roles: str) -> StaffAccount:
    _login_needed(principal)
    if not isinstance(principal, StaffAccount) or principal.role not in roles:
        raise PermissionDeniedException(f"{_who(principal)} may not do this: it needs the role {' or '.join(roles)}.")
    return principal


def counters_for(principal: Principal, mall: Mall) -> list[Counter]:
    """The counters a staff member may open, for the start page after login."""
    return [c for c in mall.counters.values() if may_act(principal, c, "view")]
