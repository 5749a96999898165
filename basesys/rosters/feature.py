"""Roster filing (学员名单备案, DOMAIN.md §9): submission, the bureau's decision, exports, deadlines."""

from flask_babel import lazy_gettext as _l

from basesys.core.features import Feature, Job, NavEntry, Panel
from basesys.rosters import api, audit_texts, demo, jobs, panels, views
from basesys.rosters.notices import KINDS
from basesys.rosters.refusals import REFUSALS

FEATURE = Feature(
    name="rosters",
    blueprints=(views.bp, api.bp),
    nav=(
        NavEntry("rosters.base_rosters", _l("Rosters"), ("base_admin",), order=30),
        NavEntry("rosters.inbox", _l("Rosters"), ("bureau_officer",), order=30),
    ),
    panels=(Panel(panels.base_actions_panel, ("base_admin",), order=10),),
    jobs=(
        Job("roster_overdue", 60, jobs.roster_overdue),
        Job("roster_reminders", 60, jobs.roster_reminders),
    ),
    demo=demo.load,
    refusals=REFUSALS,
    audit_subjects=audit_texts.SUBJECTS,
    audit_actions=audit_texts.ACTIONS,
    audit_fields=audit_texts.FIELDS,
    notification_kinds=KINDS,
)
