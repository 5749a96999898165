"""Keyset pagination for lists that can be long (issue 11): a page is `limit` rows after a given row,
in a fixed order that ends with the primary key, so page 1,000 costs what page 1 costs (no OFFSET)
and a row inserted meanwhile never shifts a page.

A list API takes `?limit=` (default DEFAULT_LIMIT, at most MAX_LIMIT) and `?after=<id>` — the id of
the last item of the previous page, the answer's `next` — and answers `next: null` on its last page.
"""

from dataclasses import dataclass

from pydantic import BaseModel, Field
from sqlalchemy import false, tuple_, union_all

from basesys.core.errors import ValidationFailed
from basesys.core.inputs import DB_INT_MAX
from basesys.extensions import db

DEFAULT_LIMIT = 100
MAX_LIMIT = 500


class PageQuery(BaseModel):
    """The paging parameters of a list API (a query model's base)."""

    limit: int = Field(default=DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="items per page")
    after: int | None = Field(default=None, ge=1, le=DB_INT_MAX, description="`next` of the previous page")


@dataclass
class Keyset:
    items: list
    next: int | None  # the id to ask `after=` for the next page; None on the last page


def keyset_page(
    query, order: tuple, model, *, limit: int, after: int | None, descending: bool, options: tuple = ()
) -> Keyset:
    """`query` (a SELECT whose first entity is `model`) ordered by `order` (columns of `model`
    ending with its id, all one direction), `limit` rows after the row `after`.

    The cursor row is looked up in the same scope (`query`'s WHERE): an id the caller cannot see is
    the same field error as an unknown one, never a hint that it exists. `options` (eager loads)
    apply to the page's rows only.
    """
    ordered = [column.desc() for column in order] if descending else list(order)
    if after is not None:
        scoped = query.with_only_columns(*order).where(model.id == after).order_by(None)
        key = db.session.execute(scoped).first()
        if key is None:
            raise ValidationFailed({"after": "无效的分页位置"})
        beyond = tuple_(*order) < tuple_(*key) if descending else tuple_(*order) > tuple_(*key)
        query = query.where(beyond)
    rows = list(db.session.scalars(query.options(*options).order_by(*ordered).limit(limit + 1)).unique())
    more = len(rows) > limit
    rows = rows[:limit]
    return Keyset(rows, rows[-1].id if more and rows else None)


# A scope of at most this many keys (a county's bases, a city's bureaus) is read key by key.
FEW_KEYS = 50


def few_keys(keys_query) -> list | None:
    """The values `keys_query` (a one-column SELECT) gives, if there are at most FEW_KEYS; else None."""
    keys = db.session.scalars(keys_query.limit(FEW_KEYS + 1)).all()
    return list(keys) if len(keys) <= FEW_KEYS else None


def first_rows_per_key(columns: tuple, key_column, keys: list, where: tuple, order: tuple, limit: int):
    """Subquery of `columns`: for each key, its first `limit` rows in `order` (that pass `where`),
    all together (UNION ALL: the keys' rows are disjoint). A list sorted across a few keys
    (a county's bases) then costs `limit` index entries per key on an index (key, order…): one
    ordered scan of a key IN (…) list reads every row of every key and sorts them (a county's
    50,000 certificates for page 20)."""
    if not keys:
        return db.select(*columns).where(false()).subquery()
    branches = [
        db.select(*columns).where(key_column == key, *where).order_by(*order).limit(limit).subquery() for key in keys
    ]
    if len(branches) == 1:
        return branches[0]
    return union_all(*(db.select(*branch.c).select_from(branch) for branch in branches)).subquery()
