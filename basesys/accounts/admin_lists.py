"""The sysadmin's lists of bases and staff accounts: a page at a time (a province has a thousand
bases and more staff), searched by name, with the bureau or base of each row loaded in the same
statement (issue 11)."""

from dataclasses import dataclass

from sqlalchemy import func, or_
from sqlalchemy.orm import joinedload

from basesys.accounts.models import Base, Role, User
from basesys.extensions import db

PAGE_SIZE = 100


@dataclass
class AdminPage:
    items: list
    total: int
    page: int
    size: int = PAGE_SIZE


def page_of(query, page: int, size: int = PAGE_SIZE) -> AdminPage:
    """One page of a query's rows, with the total (the page number clamped to the last page)."""
    total = db.session.scalar(db.select(func.count()).select_from(query.order_by(None).subquery())) or 0
    page = max(1, min(page, (total + size - 1) // size or 1))
    items = db.session.scalars(query.limit(size).offset((page - 1) * size)).unique().all()
    return AdminPage(items, total, page, size)


def _contains(column, q: str):
    return column.contains(q, autoescape=True)


def bases_page(q: str = "", page: int = 1, size: int = PAGE_SIZE) -> AdminPage:
    query = db.select(Base).options(joinedload(Base.bureau)).order_by(Base.name, Base.id)
    if q.strip():
        query = query.where(or_(_contains(Base.name, q.strip()), Base.credit_code == q.strip().upper()))
    return page_of(query, page, size)


def staff_page(q: str = "", page: int = 1, size: int = PAGE_SIZE) -> AdminPage:
    query = (
        db.select(User)
        .options(joinedload(User.bureau), joinedload(User.base), joinedload(User.employer))
        .where(User.role != Role.TRAINEE)
        .order_by(User.role, User.username)
    )
    if q.strip():
        query = query.where(or_(_contains(User.username, q.strip()), _contains(User.display_name, q.strip())))
    return page_of(query, page, size)
