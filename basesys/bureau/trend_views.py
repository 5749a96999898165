"""The officer's trends page (issue 11): one year of its scope per month and per unit, as
server-drawn SVG charts with every figure in a table below (no script needed)."""

from flask import Blueprint, render_template, request
from flask_babel import gettext as _

from basesys.accounts.models import Bureau
from basesys.accounts.scope import in_bureau_scope
from basesys.bureau.charts import column_chart, hours_chart
from basesys.bureau.trends import trends
from basesys.core.errors import NotFound
from basesys.core.inputs import DB_INT_MAX, MAX_YEAR, MIN_YEAR
from basesys.core.pages import page
from basesys.core.time import local_date
from basesys.extensions import db

bp = Blueprint("bureau_trends", __name__)

STAFF = ("bureau_officer", "sysadmin")
YEARS_SHOWN = 5


def _year(now) -> int:
    this_year = local_date(now).year
    year = request.args.get("year", this_year, type=int)
    return year if MIN_YEAR <= year <= MAX_YEAR else this_year


def _root(user) -> Bureau | None:
    """The bureau looked at: `?bureau=` within the user's scope (404 outside), else the officer's
    own bureau; None for the sysadmin's whole province."""
    wanted = request.args.get("bureau", type=int)
    if wanted is None:
        return db.session.get(Bureau, user.bureau_id) if user.role == "bureau_officer" else None
    if not 1 <= wanted <= DB_INT_MAX:
        raise NotFound()
    bureau = db.session.scalar(db.select(Bureau).where(Bureau.id == wanted, in_bureau_scope(user, Bureau.id)))
    if bureau is None:
        raise NotFound()
    return bureau


def charts(result) -> dict:
    labels = [_("Month %(m)s", m=row.name) for row in result.months]
    months = result.months
    return {
        "filings": column_chart(
            labels,
            [
                (_("submitted"), "series-1", [r.submitted for r in months]),
                (_("approved"), "series-2", [r.approved for r in months]),
                (_("returned"), "series-3", [r.returned for r in months]),
            ],
            title=_("Filings per month, %(year)s", year=result.year),
        ),
        "trainees": column_chart(
            labels,
            [(_("trainee-times"), "series-2", [r.trainee_times for r in months])],
            title=_("Trainee-times per month, %(year)s", year=result.year),
        ),
        "hours": column_chart(
            labels,
            [
                (_("issued"), "bar-issued", [r.hours_issued for r in months]),
                (_("recognized"), "bar-recognized", [r.hours_recognized for r in months]),
            ],
            title=_("Hours issued and recognized per month, %(year)s", year=result.year),
        ),
        "units": hours_chart(
            result.units,
            title=_("Hours issued and recognized per unit, %(year)s", year=result.year),
            issued_label=_("issued"),
            recognized_label=_("recognized"),
        ),
    }


@page(bp, "/bureau/trends", roles=STAFF)
def trends_page(ctx):
    year, root = _year(ctx.now), _root(ctx.user)
    result = trends(ctx.user, root, year)
    this_year = local_date(ctx.now).year
    years = list(range(this_year, this_year - YEARS_SHOWN, -1))
    return render_template("bureau/trends.html", result=result, charts=charts(result), years=years)
