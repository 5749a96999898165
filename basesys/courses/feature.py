"""Courses: the base admin's courses, sessions and enrollment; the trainee's catalogue (DOMAIN.md §3, §5)."""

from flask import Flask
from flask_babel import lazy_gettext as _l

from basesys.accounts.scope import ENROLLED_AT
from basesys.core.features import Feature, NavEntry, Panel, provide
from basesys.courses import api, audit_texts, cli, demo, record_views, views
from basesys.courses.access import trainee_enrolled_at
from basesys.courses.panels import admin_panel, trainee_panel
from basesys.courses.refusals import REFUSALS


def _init(app: Flask) -> None:
    provide(app, ENROLLED_AT, trainee_enrolled_at)  # who a base admin may issue login codes to (accounts.scope)


FEATURE = Feature(
    name="courses",
    blueprints=(views.bp, record_views.bp, api.bp),
    nav=(
        NavEntry("courses.list_courses", _l("Courses"), ("base_admin",), order=10),
        NavEntry("courses.schedule", _l("Schedule"), ("base_admin",), order=20),
        NavEntry("records.venues", _l("Venues and teachers"), ("base_admin",), order=25),
        NavEntry("courses.catalog", _l("Courses"), ("trainee",), order=10),
    ),
    panels=(
        Panel(admin_panel, ("base_admin",), order=20),
        Panel(trainee_panel, ("trainee",), order=20),
    ),
    commands=cli.COMMANDS,
    demo=demo.load,
    refusals=REFUSALS,
    init=_init,
    audit_subjects=audit_texts.SUBJECTS,
    audit_actions=audit_texts.ACTIONS,
    audit_fields=audit_texts.FIELDS,
)
