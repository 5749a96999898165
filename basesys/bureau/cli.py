"""`flask --app wsgi trends rebuild [--year 2025]`: the trends' month figures recomputed from the rows."""

import click
from flask.cli import with_appcontext

from basesys.bureau.trend_rebuild import rebuild_month_figures
from basesys.core.inputs import MAX_YEAR, MIN_YEAR
from basesys.core.time import now_utc
from basesys.extensions import db


@click.group("trends")
def trends_cli():
    """The bureau's trends (courses.month_figures)."""


@trends_cli.command("rebuild")
@with_appcontext
@click.option("--year", type=click.IntRange(MIN_YEAR, MAX_YEAR), help="only this local year (default: every year)")
def rebuild(year: int | None):
    """Recompute the month figures from filings, certificates and ledger entries: for data older
    than the table, or a repair. Changes (and audits) only the rows that were wrong."""
    wrong = rebuild_month_figures(None, year=year, now=now_utc())
    db.session.commit()
    period = f"{year}" if year is not None else "every year"
    click.echo(f"trends of {period}: {wrong} month rows corrected" if wrong else f"trends of {period}: already right")


COMMANDS = (trends_cli,)
