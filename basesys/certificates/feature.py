"""Certificates: finalisation, the hours ledger, signed certificates and their verification (DOMAIN.md §8)."""

from flask_babel import lazy_gettext as _l

from basesys.certificates import api, audit_texts, cli, demo, jobs, notices, panels, plan_actual, views
from basesys.certificates.refusals import REFUSALS
from basesys.core.features import Feature, Job, NavEntry, Panel

FEATURE = Feature(
    name="certificates",
    blueprints=(views.bp, api.bp),
    nav=(
        NavEntry("certificates.my_hours", _l("My hours"), ("trainee",), order=20),
        NavEntry("certificates.my_certificates", _l("My certificates"), ("trainee",), order=30),
    ),
    panels=(
        Panel(panels.hours_progress, ("trainee",), order=30),
        Panel(plan_actual.course_panel, ("base_admin", "bureau_officer", "sysadmin"), order=30, slot="course"),
    ),
    jobs=(
        Job("finalize_courses", 5, jobs.finalize_due_courses),
        Job("certificate_notices", 5, notices.certificate_notices),
    ),
    notification_kinds=(notices.CERTIFICATE_ISSUED,),
    commands=cli.COMMANDS,
    demo=demo.load,
    refusals=REFUSALS,
    audit_subjects=audit_texts.SUBJECTS,
    audit_actions=audit_texts.ACTIONS,
    audit_fields=audit_texts.FIELDS,
)
