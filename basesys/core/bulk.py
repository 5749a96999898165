"""Many rows at once, in the current transaction (finalisation's chunks, issue 11): writing them
(`insert_rows`) and matching a column against many values (`one_of`).

SQLAlchemy's executemany of an INSERT is one statement per row on psycopg 3 (pipelined, and yet
≈ 40 µs a row in the server plus as much in SQLAlchemy's parameter handling: 2.4 s for 25,000
audit keys). Here PostgreSQL gets the rows through `COPY … FROM STDIN`, one stream per table
(0.2 s for the same keys), and SQLite through one executemany of plain tuples (sqlite3 loops in C).

The rows stored are those `insert(table)` would store: every value goes through its column type's
own bind processing as SQLAlchemy applies it (UTC instants, JSON, dates, hours), and a column a row
leaves out gets its scalar default. The COPY is not one of SQLAlchemy's cursor executions: a
`before_cursor_execute` listener (statement counters) does not see it.
"""

from datetime import date
from operator import itemgetter

from sqlalchemy import Table, any_, bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY

from basesys.extensions import db


def insert_rows(table: Table, rows: list[dict], *, ids: bool = False) -> list[int]:
    """INSERT `rows` (dicts of column values, all with the same keys) into `table`; flush only.

    With `ids`, the rows are written with their primary keys chosen first, which are returned in
    the order of `rows` (neither COPY nor SQLite's executemany answers them): on PostgreSQL taken
    from the table's sequence, on SQLite the ones after the largest — this transaction holds
    SQLite's single write lock (BEGIN IMMEDIATE, or its earlier writes), so no other writer can
    take them meanwhile; if one did, the INSERT would fail on the primary key, never mix rows up.
    """
    if not rows:
        return []
    connection = db.session.connection()
    dialect = connection.dialect
    new_ids = _new_ids(connection, table, len(rows)) if ids else []
    columns, defaults = _columns(table, rows[0], with_key=ids)
    values = _values(dialect, columns, defaults, rows, new_ids)
    names = ", ".join(dialect.identifier_preparer.quote(column.name) for column in columns)
    target = dialect.identifier_preparer.format_table(table)
    if dialect.name == "postgresql":
        cursor = connection.connection.driver_connection.cursor()
        with cursor, cursor.copy(f"COPY {target} ({names}) FROM STDIN") as copy:
            for row in values:
                copy.write_row(row)
    else:
        marks = ", ".join("?" for _ in columns)
        connection.exec_driver_sql(f"INSERT INTO {target} ({names}) VALUES ({marks})", list(values))
    return new_ids


def _values(dialect, columns: list, defaults: list, rows: list[dict], new_ids: list[int]):
    """Each row as a tuple of bound values in the order of `columns`: its new id first (if any),
    then its own values, then the defaults; only the columns whose type processes values pay for it."""
    processors = [_last_kept(column.type.dialect_impl(dialect).bind_processor(dialect)) for column in columns]
    lead, width = (1 if new_ids else 0), len(rows[0])
    keys = [column.key for column in columns[lead : lead + width]]
    fixed = tuple(process(v) if process else v for v, process in zip(defaults, processors[lead + width :], strict=True))
    get = itemgetter(*keys) if width > 1 else (lambda row: (row[keys[0]],))
    steps = [(i, process) for i, process in enumerate(processors[lead : lead + width]) if process]
    for n, row in enumerate(rows):
        got = get(row)
        if steps:
            got = list(got)
            for i, process in steps:
                got[i] = process(got[i])
        yield (new_ids[n], *got, *fixed) if lead else (*got, *fixed)


def one_of(column, values):
    """`column IN values` for a bounded list (a chunk's trainees): on PostgreSQL one array parameter
    (`= ANY(:values)`, the same plan as IN), not one parameter per value that SQLAlchemy renders
    and psycopg parses again at every execution; an ordinary IN elsewhere."""
    values = list(values)
    if db.engine.dialect.name != "postgresql":  # one expanding parameter: no literal coerced per value
        return column.in_(bindparam(None, values, type_=column.type, expanding=True))
    return column == any_(bindparam(None, values, type_=ARRAY(column.type)))


def _new_ids(connection, table: Table, count: int) -> list[int]:
    """`count` primary keys for new rows of `table` (see `insert_rows`)."""
    key = table.primary_key.columns.values()[0].name
    if connection.dialect.name == "postgresql":
        statement = text("SELECT nextval(pg_get_serial_sequence(:table, :key)) FROM generate_series(1, :count)")
        return list(connection.scalars(statement, {"table": table.name, "key": key, "count": count}))
    last = connection.scalar(text(f'SELECT coalesce(max("{key}"), 0) FROM "{table.name}"'))
    return list(range(last + 1, last + count + 1))


def _columns(table: Table, sample: dict, *, with_key: bool) -> tuple[list, list]:
    """The columns written: the primary key (`with_key`), those of the row (in its order), then
    those it leaves out that have a scalar default (with the defaults' values). A left-out column
    with a callable or SQL default is refused: write it in the rows."""
    columns = [table.primary_key.columns.values()[0]] if with_key else []
    columns += [table.c[key] for key in sample]
    written = {column.key for column in columns}
    defaults = []
    for column in table.columns:
        if column.key in written or column.default is None:
            continue
        if not column.default.is_scalar:
            raise ValueError(f"insert_rows: give {table.name}.{column.key} (its default is not a constant)")
        columns.append(column)
        defaults.append(column.default.arg)
    return columns, defaults


def _last_kept(process):
    """The bind processor, answering an immutable value that is the very object it was just given
    (the chunk's `now`, its course id, a day) with the same result instead of processing it again."""
    if process is None:
        return None
    last = [_UNSEEN, None]

    def kept(value):
        if value is last[0]:
            return last[1]
        result = process(value)
        if isinstance(value, _IMMUTABLE):
            last[0], last[1] = value, result
        return result

    return kept


_UNSEEN = object()
_IMMUTABLE = (str, int, float, date, type(None))  # a datetime is a date


def plan_each_execution() -> None:
    """For the rest of the transaction, PostgreSQL plans each statement with its parameters.

    psycopg prepares a statement run five times, and PostgreSQL may then keep one generic plan for
    it, made without the parameters' values: there `column = ANY(:values)` is no index condition
    but a filter comparing every row of the range with every value (a chunk's window of 500 trainees
    against a course's 5,000 results: 31 ms instead of 1 ms, every chunk). Finalisation's chunks,
    which run the same statements again and again with other values, call this first."""
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("SET LOCAL plan_cache_mode = force_custom_plan")
