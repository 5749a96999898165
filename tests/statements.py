"""Counting the SQL statements a request sends (issue 11: constant in page size and history)."""

from contextlib import contextmanager

from sqlalchemy import event


@contextmanager
def counted(engine):
    """`with counted(db.engine) as statements: ...` then `len(statements)`."""
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)
