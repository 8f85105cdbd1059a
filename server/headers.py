"""Security headers on every HTTP response: pages load only their own scripts, are not framed
(except by the origins a mall configures), and never leak a ticket's URL through Referer."""

from __future__ import annotations

from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send


def security_headers(https: bool, frame_ancestors: tuple[str, ...] = ()) -> type:
    ancestors = " ".join(frame_ancestors) if frame_ancestors else "'none'"
    csp = (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        f"connect-src 'self' ws: wss:; media-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
        f"frame-ancestors {ancestors}"
    )
    fixed = [
        ("Content-Security-Policy", csp),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "no-referrer"),  # ticket ids in URLs are capabilities
        ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
    ]
    if not frame_ancestors:
        fixed.append(("X-Frame-Options", "DENY"))
    if https:
        fixed.append(("Strict-Transport-Security", "max-age=31536000"))

    class SecurityHeaders:
        def __init__(self, app: ASGIApp) -> None:
            self.app = app

        async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != ScopeType.HTTP:
                await self.app(scope, receive, send)
                return

            async def send_with_headers(message: Message) -> None:
                if message["type"] == "http.response.start":
                    headers = MutableScopeHeaders.from_message(message)
                    for name, value in fixed:
                        headers[name] = value
                await send(message)

            await self.app(scope, receive, send_with_headers)

    return SecurityHeaders
