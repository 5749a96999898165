"""The bureau's workspace: its home figures, course and certificate lists, the audit log (DOMAIN.md §12, §14)."""

from flask_babel import lazy_gettext as _l

from basesys.bureau import api, cli, panels, trend_views, views
from basesys.core.features import Feature, NavEntry, Panel

FEATURE = Feature(
    name="bureau",
    blueprints=(views.bp, api.bp, trend_views.bp),
    nav=(
        NavEntry("bureau.courses", _l("Courses"), ("bureau_officer",), order=20),
        NavEntry("bureau.certificates", _l("Certificates"), ("bureau_officer",), order=40),
        NavEntry("bureau.audit_log", _l("Audit log"), ("bureau_officer", "sysadmin"), order=50),
        NavEntry("bureau_trends.trends_page", _l("Trends"), ("bureau_officer", "sysadmin"), order=45),
    ),
    panels=(Panel(panels.bureau_home, ("bureau_officer",), order=10),),
    commands=cli.COMMANDS,
    audit_actions={"trends.rebuild": "按业务记录重建了趋势统计（{after[period]}，更正 {after[corrected]} 行）"},
)
