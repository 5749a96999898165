"""Attendance: rotating QR codes, scans, manual entries and the credited-hours engine (DOMAIN.md §6–7)."""

from basesys.attendance import api, demo, views
from basesys.attendance.services.refusals import REFUSALS
from basesys.core.features import Feature, Panel

FEATURE = Feature(
    name="attendance",
    blueprints=(views.bp, api.bp),
    panels=(
        Panel(views.todays_sessions_panel, ("base_admin",), order=5),
        Panel(views.trainee_today_panel, ("trainee",), order=5),
    ),
    demo=demo.load,
    refusals=REFUSALS,
)
