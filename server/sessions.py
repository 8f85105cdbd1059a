"""Staff login and logout: a server-side session (HttpOnly, SameSite=Strict cookie), a CSRF token
for the pages' requests, and a lockout after repeated failures.

Sessions are our own, not Litestar's middleware: a session id is only ever one we made (a login
always makes a new one, so a planted cookie is worthless), nothing is stored or sent for requests
that are not logged in, and a malformed cookie is simply ignored."""

from __future__ import annotations

import asyncio
import hashlib
import re
import secrets
from typing import Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie
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


COOKIE = "antrian_session"
_SESSION_ID = re.compile(r"^[A-Za-z0-9_-]{43}$")  # secrets.token_urlsafe(32)


class Sessions:
    def __init__(self, store: Store, max_age_s: int, secure: bool) -> None:
        self.store, self.max_age_s, self.secure = store, max_age_s, secure

    @staticmethod
    def _key(session_id: str) -> str:
        # Stored under a digest: a leaked store does not hand out live cookies.
        return "session:" + hashlib.sha256(session_id.encode()).hexdigest()

    async def load(self, connection: ASGIConnection[Any, Any, Any, Any]) -> dict[str, Any] | None:
        session_id = connection.cookies.get(COOKIE, "")
        if not _SESSION_ID.match(session_id):
            return None
        raw = await self.store.get(self._key(session_id))
        if raw is None:
            return None
        try:
            data = msgspec.json.decode(raw)
        except msgspec.DecodeError:
            return None
        return data if isinstance(data, dict) else None

    async def create(self, data: dict[str, Any]) -> Cookie:
        session_id = secrets.token_urlsafe(32)
        await self.store.set(self._key(session_id), msgspec.json.encode(data), expires_in=self.max_age_s)
        return self._cookie(session_id, self.max_age_s)

    async def end(self, connection: ASGIConnection[Any, Any, Any, Any]) -> Cookie:
        session_id = connection.cookies.get(COOKIE, "")
        if _SESSION_ID.match(session_id):
            await self.store.delete(self._key(session_id))
        return self._cookie("", 0)

    def _cookie(self, value: str, max_age: int) -> Cookie:
        return Cookie(
            key=COOKIE, value=value, max_age=max_age, path="/", httponly=True, samesite="strict", secure=self.secure
        )


class SessionController(Controller):
    path = "/api"
    tags = ("staff",)

    @post("/login", status_code=200, summary="Staff login: sets the session cookie")
    async def login(self, data: LoginRequest, access: Access, auth_store: Store, sessions: Sessions) -> Response[Me]:
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
        cookie = await sessions.create({auth.SESSION_USER: account.username, auth.SESSION_CSRF: csrf})
        return Response(auth.me(account, csrf), cookies=[cookie])

    @post("/logout", status_code=200, summary="End the staff session")
    async def logout(self, request: Request[Any, Any, Any], principal: Principal, sessions: Sessions) -> Response[Me]:
        return Response(auth.me(None, None), cookies=[await sessions.end(request)])

    @get("/me", summary="Who this request is: staff (with the CSRF token for the pages), a device, or a visitor")
    async def whoami(self, request: Request[Any, Any, Any], principal: Principal) -> Me:
        session = request.scope.get("state", {}).get(auth.SESSION_STATE) or {}
        return auth.me(principal, session.get(auth.SESSION_CSRF))
