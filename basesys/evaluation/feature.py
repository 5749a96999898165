"""Quality evaluation (质量评估, DOMAIN.md §13): the trainee's once-only answer, the anonymous results."""

from basesys.core.features import Feature
from basesys.evaluation import api, audit_texts
from basesys.evaluation.refusals import REFUSALS

FEATURE = Feature(
    name="evaluation",
    blueprints=(api.bp,),
    refusals=REFUSALS,
    audit_subjects=audit_texts.SUBJECTS,
    audit_actions=audit_texts.ACTIONS,
)
