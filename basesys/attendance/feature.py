"""Attendance: rotating QR codes, scans, manual entries and the credited-hours engine (DOMAIN.md §6–7)."""

from basesys.attendance import api, audit_texts, demo, panels, reminders, scanner, views
from basesys.attendance.refusals import REFUSALS
from basesys.core.features import Feature, Job, Panel

FEATURE = Feature(
    name="attendance",
    blueprints=(views.bp, scanner.bp, api.bp),
    panels=(
        Panel(panels.todays_sessions_panel, ("base_admin",), order=5),
        Panel(panels.trainee_today_panel, ("trainee",), order=5),
        Panel(panels.course_cards_panel, ("base_admin",), order=40, slot="course"),
    ),
    jobs=(
        Job("checkout_reminders", 2, reminders.checkout_reminders),
        Job("session_reminders", 10, reminders.session_reminders_job),
    ),
    notification_kinds=(reminders.CHECKOUT_REMINDER, reminders.SESSION_REMINDER),
    demo=demo.load,
    refusals=REFUSALS,
    audit_subjects=audit_texts.SUBJECTS,
    audit_actions=audit_texts.ACTIONS,
    audit_fields=audit_texts.FIELDS,
)
