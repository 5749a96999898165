"""The bureau officer's home: what waits, and this year's figures per base (a page of bases at a
time, `?page=`) with a chart."""

from datetime import datetime

from flask import request
from flask_babel import gettext as _

from basesys.bureau.charts import hours_chart
from basesys.bureau.stats import figures_page, waiting_counts
from basesys.core.inputs import page_number
from basesys.core.time import local_date


def bureau_home(user, now: datetime):
    year = local_date(now).year
    figures = figures_page(user, year, request.args.get("page", 1, type=page_number))
    chart = hours_chart(
        figures.rows,
        title=_("Hours issued and recognized per base, %(year)s", year=year),
        issued_label=_("issued"),
        recognized_label=_("recognized"),
    )
    return {
        "template": "bureau/panel_home.html",
        "waiting": waiting_counts(user, now),
        "figures": figures,
        "year": year,
        "chart": chart if figures.rows else None,
    }
