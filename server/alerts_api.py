"""`GET /api/alerts`: where the floor is stuck right now, for managers, admins and supervisors."""

from __future__ import annotations

from litestar import Controller, get

from server import auth
from server.auth import Principal
from server.floor import Floor
from ticketing.alerts import Alert, alerts, date_printer_alerts


class AlertsController(Controller):
    path = "/api"
    tags = ("managers",)

    @get(
        "/alerts",
        summary="Alerts on the floor now, critical first then oldest (managers and admins; a supervisor sees "
        "their agency's and the printers')",
    )
    async def list_alerts(self, floor: Floor, principal: Principal) -> list[Alert]:
        staff = auth.require_role(principal, "manager", "admin", "supervisor")
        floor.roll_day()
        found = date_printer_alerts(alerts(floor.state, floor.clock()), floor.today)
        if staff.role == "supervisor":
            # Printers (agency None) serve the whole floor, so every supervisor hears of them.
            found = [a for a in found if a.agency_id in (None, staff.agency_id)]
        return found
