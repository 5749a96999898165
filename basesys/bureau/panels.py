"""The bureau officer's home: what waits, and this year's figures per base (a page of bases at a
time, `?page=`) with a chart."""

from datetime import datetime

from flask import request
from flask_babel import gettext as _

from basesys.bureau.charts import hours_chart
from basesys.bureau.stats import declared_figures, figure_years, figures_page, waiting_counts
from basesys.core.inputs import page_number
from basesys.core.time import local_date


def _year(now: datetime, years: list[int]) -> int:
    """`?year=` when it is one with figures (past years are selectable), else this year."""
    year = request.args.get("year", type=int)
    return year if year in years else local_date(now).year


def bureau_home(user, now: datetime):
    years = figure_years(now)
    year = _year(now, years)
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
        "years": years,
        "declared": declared_figures(user, year),
        "chart": chart if figures.rows else None,
    }
