"""Hour declarations (学时折算申报, DOMAIN.md §11)."""

from basesys.core.features import Feature
from basesys.declarations import models  # noqa: F401  (the tables, until the views import them)

FEATURE = Feature(name="declarations")
