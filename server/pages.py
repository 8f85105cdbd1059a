"""HTML pages (Jinja2 + plain JS) and the ticket's QR code."""

from __future__ import annotations

import io
from typing import Any

import qrcode
import qrcode.image.svg
from litestar import Response, get
from litestar.response import Redirect, Template

from config.access import Access, StaffAccount, demo_token
from server import auth
from server.auth import Principal
from server.floor import Floor
from ticketing.errors import NotFound


def _page(name: str, floor: Floor, **context: Any) -> Template:
    return Template(template_name=name, context={"mall": floor.mall, **context})


@get("/", include_in_schema=False)
async def index(floor: Floor, access: Access, principal: Principal) -> Template:
    # The demo's device tokens are public: the start page links to the devices with them.
    tokens = {}
    if access.demo:
        tokens = {f"{d.kind}:{d.id}": demo_token(d.kind, d.id) for d in access.devices.values() if not d.revoked}
    counters = auth.counters_for(principal, floor.mall) if isinstance(principal, StaffAccount) else []
    return _page("index.html", floor, demo_tokens=tokens, me=principal, my_counters=counters)


@get("/login", include_in_schema=False)
async def login_page(floor: Floor, access: Access, next: str = "/") -> Template:
    # Only a local path: never send someone off-site after logging in.
    target = next if next.startswith("/") and not next.startswith("//") else "/"
    return _page("login.html", floor, next=target, demo=access.demo)


@get("/kiosk/{kiosk_id:str}", include_in_schema=False)
async def kiosk_page(floor: Floor, kiosk_id: str) -> Template:
    kiosk = floor.mall.kiosks.get(kiosk_id)
    if kiosk is None:
        raise NotFound(f"Unknown kiosk '{kiosk_id}': see / for the kiosks of this mall.")
    return _page("kiosk.html", floor, kiosk=kiosk)


@get("/counter/{counter_id:str}", include_in_schema=False)
async def counter_page(floor: Floor, principal: Principal, counter_id: str) -> Template | Redirect:
    counter = floor.mall.counters.get(counter_id)
    if counter is None:
        raise NotFound(f"Unknown counter '{counter_id}': see / for the counters of this mall.")
    if principal is None:
        return Redirect(f"/login?next=/counter/{counter_id}")
    auth.require_counter_view(principal, counter)
    return _page("counter.html", floor, counter=counter, me=principal)


@get("/display/{display_id:str}", include_in_schema=False)
async def display_page(floor: Floor, display_id: str) -> Template:
    display = floor.mall.displays.get(display_id)
    if display is None:
        raise NotFound(f"Unknown display '{display_id}': see / for the displays of this mall.")
    return _page("display.html", floor, display=display)


@get("/t/{ticket_id:str}", include_in_schema=False)
async def status_page(floor: Floor, ticket_id: str) -> Template:
    # Rendered even for an unknown id: the page itself says so, in words a visitor understands.
    return _page("status.html", floor, ticket_id=ticket_id)


@get("/t/{ticket_id:str}/qr.svg", include_in_schema=False)
async def ticket_qr(floor: Floor, ticket_id: str) -> Response[bytes]:
    if ticket_id not in floor.state.tickets:
        raise NotFound("No ticket with that id today.")
    image = qrcode.make(
        f"{floor.mall.site.public_base_url}/t/{ticket_id}", image_factory=qrcode.image.svg.SvgPathImage, box_size=12
    )
    buffer = io.BytesIO()
    image.save(buffer)
    return Response(buffer.getvalue(), media_type="image/svg+xml", headers={"Cache-Control": "private, max-age=86400"})


def _mall_facts(floor: Floor) -> dict[str, Any]:
    """What the manager's pages need to name things (the figures themselves come from the API)."""
    mall = floor.mall
    day = floor.state.day
    return {
        "timezone": mall.site.timezone,
        "day": day.isoformat(),
        "hours": [[iv.start, iv.end] for iv in mall.site.hours[day.weekday()]],  # today's opening hours, minutes
        "agencies": [
            {"id": a.id, "name": a.name, "short_name": a.short_name, "prefix": a.prefix, "colour": a.colour}
            for a in mall.agencies.values()
        ],
        "queues": {q.id: {"name": q.name, "prefix": q.prefix, "agency": q.agency_id} for q in mall.queues.values()},
        "services": [
            {"id": s.id, "agency": s.agency_id, "queue": s.queue_id, "name": s.name, "target": s.target_wait_minutes}
            for s in mall.services.values()
        ],
        "counters": [{"id": c.id, "label": c.label, "agency": c.agency_id} for c in mall.counters.values()],
    }


@get("/manager", include_in_schema=False)
async def manager_page(floor: Floor, principal: Principal) -> Template | Redirect:
    if principal is None:
        return Redirect("/login?next=/manager")
    me = auth.require_role(principal, "manager", "admin")
    return _page("manager.html", floor, me=me, facts=_mall_facts(floor))


@get("/manager/reports", include_in_schema=False)
async def reports_page(floor: Floor, access: Access, principal: Principal) -> Template | Redirect:
    if principal is None:
        return Redirect("/login?next=/manager/reports")
    me = auth.require_role(principal, "manager", "admin")
    facts = _mall_facts(floor)
    facts["staff"] = {s.username: s.name for s in access.staff.values()}
    return _page("reports.html", floor, me=me, facts=facts)


ROUTES = [
    index,
    login_page,
    kiosk_page,
    counter_page,
    display_page,
    status_page,
    ticket_qr,
    manager_page,
    reports_page,
]
