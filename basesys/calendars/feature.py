"""Calendars (issue 13): the base's month and week calendars, iCalendar feeds per course and per
trainee, and the self-enrolment link with its QR code and poster. A sibling of filing and
attendance above courses: it reads courses, and nothing below imports it."""

from flask_babel import lazy_gettext as _l

from basesys.calendars import audit_texts, panels, views
from basesys.core.features import Feature, NavEntry, Panel

STAFF = ("base_admin", "bureau_officer", "sysadmin")

FEATURE = Feature(
    name="calendars",
    blueprints=(views.bp,),
    nav=(NavEntry("calendars.base_calendar", _l("Calendar"), ("base_admin",), order=25),),
    panels=(
        Panel(panels.trainee_feed_panel, ("trainee",), order=25),
        Panel(panels.course_panel, STAFF, order=15, slot="course"),
        Panel(panels.catalog_panel, ("trainee",), order=10, slot="catalog"),
    ),
    audit_subjects=audit_texts.SUBJECTS,
    audit_actions=audit_texts.ACTIONS,
)
