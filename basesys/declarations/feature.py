"""Hour declarations (学时折算申报, DOMAIN.md §11)."""

from flask_babel import lazy_gettext as _l

from basesys.core.features import Feature, NavEntry, Panel
from basesys.declarations import panels, views

FEATURE = Feature(
    name="declarations",
    blueprints=(views.bp,),
    nav=(
        NavEntry("declarations.my_declarations", _l("Hour declarations"), ("trainee",), order=35),
        NavEntry("declarations.inbox", _l("Declaration review"), ("employer_reviewer", "bureau_officer"), order=35),
        NavEntry("declarations.rules", _l("Declaration rules"), ("bureau_officer", "sysadmin"), order=36),
    ),
    panels=(
        Panel(panels.my_declarations, ("trainee",), order=12),
        Panel(panels.waiting_for_review, ("employer_reviewer", "bureau_officer"), order=10),
    ),
)
