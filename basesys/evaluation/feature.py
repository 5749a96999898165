"""Quality evaluation (质量评估, DOMAIN.md §13): the trainee's once-only answer, the anonymous results."""

from basesys.core.features import Feature
from basesys.evaluation import models  # noqa: F401 -- the tables
from basesys.evaluation.refusals import REFUSALS

FEATURE = Feature(
    name="evaluation",
    refusals=REFUSALS,
)
