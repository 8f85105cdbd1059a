"""Wiring: settings + mall config + journal -> a Litestar app."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

import msgspec
from litestar import Litestar, Request, Response
from litestar.di import Provide
from litestar.exceptions import HTTPException
from litestar.openapi import OpenAPIConfig
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.stores.base import Store
from litestar.stores.file import FileStore
from litestar.stores.redis import RedisStore
from litestar.stores.registry import StoreRegistry
from litestar.template.config import TemplateConfig
from redis.asyncio import Redis

from config.access import Access
from config.loader import Loaded, load_config
from printers.model import PrinterConfig
from server import agent_socket, announce_api, api, auth, live, pages
from server.alerts_api import AlertsController
from server.auth import Principal
from server.constants import redis_store_namespace
from server.floor import Floor, utcnow
from server.headers import security_headers
from server.journal import Journal, JournalError
from server.journal.redis import RedisJournal
from server.journal.sqlite import SQLiteJournal
from server.limits import KioskRateLimit
from server.personal import PersonalData
from server.sessions import SessionController, Sessions
from server.settings import ROOT, Settings
from server.spooler import Spooler
from server.stats_api import StatsController
from ticketing.errors import Refusal

MAX_BODY_BYTES = 64 * 1024  # the largest legitimate request is a few hundred bytes


def _http_error(request: Request[Any, Any, Any], exc: HTTPException) -> Response[dict[str, Any]]:
    detail = exc.detail
    extra = getattr(exc, "extra", None)
    if isinstance(extra, list) and extra:
        # Litestar's "Validation failed for POST /x" alone does not tell anyone what to fix.
        problems = []
        for item in extra:
            if isinstance(item, dict):
                key = item.get("key")
                where = f"{key}: " if key and key != "data" else ""
                problems.append(f"{where}{item.get('message', '')}")
        detail = f"{detail}: {'; '.join(problems)}. Send JSON as described at /schema."
    body: dict[str, Any] = {"status_code": exc.status_code, "detail": detail}
    if extra:
        body["extra"] = extra
    return Response(body, status_code=exc.status_code, headers=getattr(exc, "headers", None))


def _journal_error(request: Request[Any, Any, Any], exc: JournalError) -> Response[dict[str, Any]]:
    request.logger.error("journal unavailable: %s", exc)
    return Response(
        {"status_code": 503, "detail": "The queue system cannot save right now: please try again in a moment."},
        status_code=503,
        headers={"Retry-After": "2"},
    )


def _internal_error(request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    # Last resort: the request failed on our side; say so plainly (the traceback goes to the log).
    request.logger.exception("unhandled error on %s %s", request.method, request.url.path)
    return Response(
        {"status_code": 500, "detail": "Something went wrong on the server. Please try again."}, status_code=500
    )


def create_app(
    settings: Settings | None = None,
    *,
    loaded: Loaded | None = None,
    journal: Journal | None = None,
    clock: Callable[[], datetime] = utcnow,
) -> Litestar:
    settings = settings or Settings()
    loaded = loaded or load_config(settings.config_path)
    access = loaded.access
    site = msgspec.structs.replace(
        loaded.mall.site, public_base_url=settings.public_base_url(loaded.mall.site.public_base_url)
    )
    mall = msgspec.structs.replace(loaded.mall, site=site)
    https = site.public_base_url.startswith("https://")
    if journal is None:
        if settings.redis_url:
            journal = RedisJournal(settings.redis_url, mall.id)
        else:
            journal = SQLiteJournal(settings.journal_for(mall.id), mall.id)
    floor = Floor(mall, journal, clock)
    prints_dir = settings.journal_for(mall.id).parent / f"{mall.id}.prints"
    spooler = Spooler(floor, loaded.printers, prints_dir, poll_seconds=settings.printer_poll_s)
    kiosk_limit = KioskRateLimit(access.kiosk_tickets_per_minute)
    stores = _stores(settings, mall.id)
    personal = PersonalData(stores.get("personal"), access.retention_days)
    sessions = Sessions(stores.get("sessions"), int(access.session_hours * 3600), secure=https)

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        try:
            await journal.start()
        except JournalError as exc:
            # uvicorn would bury this under a traceback: say it plainly, then stop.
            print(f"Journal error: {exc}", file=sys.stderr, flush=True)
            raise
        purge = asyncio.create_task(_purge_hourly(personal), name="purge-personal-data")
        try:
            await floor.start()
            # An unreachable printer never stops the server: its jobs fail and show on screen.
            await spooler.start()
            yield
        finally:
            purge.cancel()
            await spooler.stop()
            await floor.stop()
            await journal.stop()

    async def provide_floor() -> Floor:
        return floor

    async def provide_access() -> Access:
        return access

    async def provide_principal(request: Request[Any, Any, Any]) -> Principal:
        return auth.resolve(request, access, await sessions.load(request))

    async def provide_sessions() -> Sessions:
        return sessions

    async def provide_auth_store() -> Store:
        return stores.get("auth")

    async def provide_kiosk_limit() -> KioskRateLimit:
        return kiosk_limit

    async def provide_personal() -> PersonalData:
        return personal

    async def provide_spooler() -> Spooler:
        return spooler

    async def provide_printer_configs() -> dict[str, PrinterConfig]:
        return loaded.printers

    return Litestar(
        route_handlers=[
            api.VisitorController,
            api.FloorController,
            StatsController,
            AlertsController,
            SessionController,
            live.floor_feed,
            live.ticket_feed,
            agent_socket.agent_feed,
            announce_api.announcement,
            *pages.ROUTES,
            create_static_files_router("/static", directories=[ROOT / "server" / "static"], include_in_schema=False),
            create_static_files_router(
                "/static/display",
                directories=[ROOT / "displays" / "static"],
                include_in_schema=False,
                name="display_static",
            ),
        ],
        dependencies={
            "floor": Provide(provide_floor),
            "access": Provide(provide_access),
            "principal": Provide(provide_principal),
            "auth_store": Provide(provide_auth_store),
            "sessions": Provide(provide_sessions),
            "kiosk_limit": Provide(provide_kiosk_limit),
            "personal": Provide(provide_personal),
            "spooler": Provide(provide_spooler),
            "printer_configs": Provide(provide_printer_configs),
        },
        exception_handlers={
            Refusal: api.refusal_handler,
            HTTPException: _http_error,
            JournalError: _journal_error,
            Exception: _internal_error,
        },
        middleware=[security_headers(https, access.frame_ancestors)],
        stores=stores,
        lifespan=[lifespan],
        template_config=TemplateConfig(
            directory=[ROOT / "server" / "templates", ROOT / "displays" / "templates"], engine=JinjaTemplateEngine
        ),
        openapi_config=OpenAPIConfig(title="Antrian", version="0.1.0", path="/schema"),
        request_max_body_size=MAX_BODY_BYTES,
        debug=False,
    )


STORES = ("sessions", "auth", "personal")


async def _purge_hourly(personal: PersonalData) -> None:
    while True:
        await personal.purge_expired()
        await asyncio.sleep(3600)


def _stores(settings: Settings, mall_id: str) -> StoreRegistry:
    """Sessions and login failures: in files beside the journal, or in Redis when processes share one."""
    if settings.redis_url:
        client = Redis.from_url(settings.redis_url)
        return StoreRegistry(
            {
                name: RedisStore(client, namespace=redis_store_namespace(mall_id, name), handle_client_shutdown=True)
                for name in STORES
            }
        )
    base = settings.journal_for(mall_id).parent / f"{mall_id}.stores"
    return StoreRegistry({name: FileStore(base / name, create_directories=True) for name in STORES})


def app_from_env() -> Litestar:
    """Factory for `uvicorn --factory server.app:app_from_env`."""
    return create_app(Settings.from_env())


__all__ = ["app_from_env", "create_app"]
