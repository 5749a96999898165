"""Course filing (备案, DOMAIN.md §4): submission, the bureau's inbox and decisions, the filing form,
the course page's filing section, and change filings when an approved course is edited."""

from flask import Flask
from flask_babel import lazy_gettext as _l

from basesys.core.features import Feature, NavEntry, Panel
from basesys.courses.signals import course_changed
from basesys.courses.state import field_label
from basesys.filing import api, audit_texts, demo, services, views
from basesys.filing.panels import course_panel
from basesys.filing.refusals import REFUSALS


def _on_course_changed(course, *, actor, before, after, now) -> None:
    """courses announced an edit: an approved course's edit is a change filing or an amendment (§4)."""
    services.file_edit(actor, course, before=before, after=after, now=now)


def _init(app: Flask) -> None:
    # Connecting one function twice (a second app in the same process) keeps one receiver.
    course_changed.connect(_on_course_changed, weak=False)


FEATURE = Feature(
    name="filing",
    blueprints=(views.bp, api.bp),
    nav=(NavEntry("filing.inbox", _l("Filings"), ("bureau_officer",), order=10),),
    panels=(Panel(course_panel, ("base_admin", "bureau_officer", "sysadmin"), order=10, slot="course"),),
    demo=demo.load,
    refusals=REFUSALS,
    audit_actions=audit_texts.ACTIONS,
    audit_fields=audit_texts.FIELDS,
    template_filters={"field_label": field_label},
    init=_init,
)
