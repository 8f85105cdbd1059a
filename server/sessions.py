"""Staff login and logout: a server-side session (HttpOnly, SameSite=Strict cookie), a CSRF token
for the pages' requests, and a lockout after repeated failures."""

from __future__ import annotations

import asyncio
from typing import Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.exceptions import NotAuthorizedException, TooManyRequestsException
from litestar.stores.base import Store

from config.access import Access, hash_password, verify_password
from server import auth
from server.auth import Me, Principal

MAX_FAILURES = 5
LOCKOUT_SECONDS = 15 * 60
# Checked when the username is unknown, so both cases take as long (no user enumeration).
_UNKNOWN_USER_HASH = hash_password("no such user", salt=bytes(16))


class LoginRequest(msgspec.Struct):
    username: str
    password: str


def _failures_key(username: str) -> str:
    return f"login-failures:{username}"


class SessionController(Controller):
    path = "/api"
    tags = ("staff",)

    @post("/login", status_code=200, summary="Staff login: sets the session cookie")
    async def login(self, request: Request[Any, Any, Any], data: LoginRequest, access: Access, auth_store: Store) -> Me:
        username = data.username.strip().lower()
        failures = int(await auth_store.get(_failures_key(username)) or 0)
        if failures >= MAX_FAILURES:
            raise TooManyRequestsException(
                detail=f"Too many failed logins for {username!r}: try again in {LOCKOUT_SECONDS // 60} minutes, "
                "or ask a supervisor.",
                headers={"Retry-After": str(LOCKOUT_SECONDS)},
            )
        account = access.staff.get(username)
        encoded = account.password_hash if account else _UNKNOWN_USER_HASH
        ok = await asyncio.to_thread(verify_password, data.password, encoded)  # ~50 ms of scrypt: off the loop
        if account is None or not ok:
            await auth_store.set(_failures_key(username), str(failures + 1), expires_in=LOCKOUT_SECONDS)
            raise NotAuthorizedException("Nama pengguna atau kata sandi salah. (Wrong username or password.)")
        await auth_store.delete(_failures_key(username))
        csrf = auth.new_csrf_token()
        request.set_session({auth.SESSION_USER: account.username, auth.SESSION_CSRF: csrf})
        return auth.me(account, csrf)

    @post("/logout", status_code=200, summary="End the staff session")
    async def logout(self, request: Request[Any, Any, Any], principal: Principal) -> Me:
        request.clear_session()
        return auth.me(None, None)

    @get("/me", summary="Who this request is: staff (with the CSRF token for the pages), a device, or a visitor")
    async def whoami(self, request: Request[Any, Any, Any], principal: Principal) -> Me:
        session = request.scope.get("session") or {}
        return auth.me(principal, session.get(auth.SESSION_CSRF) if isinstance(session, dict) else None)
