"""Courses: the base admin's courses, sessions and enrollment; the trainee's catalogue (DOMAIN.md §3, §5)."""

from flask_babel import lazy_gettext as _l

from basesys.core.features import Feature, NavEntry, Panel
from basesys.courses import api, audit_texts, cli, demo, views
from basesys.courses.panels import admin_panel, trainee_panel
from basesys.courses.refusals import REFUSALS

FEATURE = Feature(
    name="courses",
    blueprints=(views.bp, api.bp),
    nav=(
        NavEntry("courses.list_courses", _l("Courses"), ("base_admin",), order=10),
        NavEntry("courses.schedule", _l("Schedule"), ("base_admin",), order=20),
        NavEntry("courses.catalog", _l("Courses"), ("trainee",), order=10),
    ),
    panels=(
        Panel(admin_panel, ("base_admin",), order=20),
        Panel(trainee_panel, ("trainee",), order=20),
    ),
    commands=cli.COMMANDS,
    demo=demo.load,
    refusals=REFUSALS,
    audit_subjects=audit_texts.SUBJECTS,
    audit_actions=audit_texts.ACTIONS,
    audit_fields=audit_texts.FIELDS,
)
