"""Course filing (备案, DOMAIN.md §4): submission, the bureau's inbox and decisions, the filing form."""

from flask_babel import lazy_gettext as _l

from basesys.core.features import Feature, NavEntry
from basesys.filing import api, views
from basesys.filing.services import REFUSALS

FEATURE = Feature(
    name="filing",
    blueprints=(views.bp, api.bp),
    nav=(NavEntry("filing.inbox", _l("Filings"), ("bureau_officer",), order=10),),
    refusals=REFUSALS,
)
