"""The bureau officer's home: what waits, and this year's figures per base with a chart."""

from datetime import datetime

from flask_babel import gettext as _

from basesys.bureau.charts import hours_chart
from basesys.bureau.stats import figures_by_base, totals, waiting_counts
from basesys.core.time import local_date


def bureau_home(user, now: datetime):
    year = local_date(now).year
    rows = figures_by_base(user, year)
    chart = hours_chart(
        rows,
        title=_("Hours issued and recognized per base, %(year)s", year=year),
        issued_label=_("issued"),
        recognized_label=_("recognized"),
    )
    return {
        "template": "bureau/panel_home.html",
        "waiting": waiting_counts(user, now),
        "rows": rows,
        "total": totals(rows),
        "year": year,
        "chart": chart if rows else None,
    }
