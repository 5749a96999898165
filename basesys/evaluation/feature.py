"""Quality evaluation (质量评估, DOMAIN.md §13): the trainee's once-only answer, the anonymous results."""

from flask_babel import lazy_gettext as _l

from basesys.core.features import Feature, NavEntry, Panel
from basesys.evaluation import api, audit_texts, demo, panels, views
from basesys.evaluation.refusals import REFUSALS

READERS = ("base_admin", "bureau_officer", "sysadmin")

FEATURE = Feature(
    name="evaluation",
    blueprints=(views.bp, api.bp),
    nav=(NavEntry("evaluation.trend", _l("Evaluations"), ("base_admin", "bureau_officer"), order=40),),
    panels=(
        Panel(panels.waiting_evaluations, ("trainee",), order=5),
        Panel(panels.waiting_evaluations, ("trainee",), order=5, slot="scan_result"),
        Panel(panels.course_results, READERS, order=40, slot="course"),
    ),
    demo=demo.load,
    refusals=REFUSALS,
    init=panels.init,
    audit_subjects=audit_texts.SUBJECTS,
    audit_actions=audit_texts.ACTIONS,
)
