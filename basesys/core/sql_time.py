"""The business calendar inside SQL: the Asia/Shanghai date of a stored instant (STYLE.md "Time").

Set-based queries (GROUP BY a local date) cannot call `core.time.local_date` per row. PostgreSQL
converts with the zone itself; SQLite stores naive UTC text and has no zone database, so it adds
the offset: Asia/Shanghai has been UTC+8 without daylight saving since 1991.
"""

from sqlalchemy import Date
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from basesys.core.time import LOCAL_TZ


class local_day(FunctionElement):  # noqa: N801 -- reads as a SQL function
    """`local_day(column)`: the local date of an instant column, as a DATE."""

    type = Date()
    inherit_cache = True
    name = "local_day"


@compiles(local_day, "postgresql")
def _local_day_postgresql(element, compiler, **kw):
    return f"CAST(timezone('{LOCAL_TZ.key}', {compiler.process(element.clauses, **kw)}) AS DATE)"


@compiles(local_day)
def _local_day_sqlite(element, compiler, **kw):
    return f"date({compiler.process(element.clauses, **kw)}, '+8 hours')"
