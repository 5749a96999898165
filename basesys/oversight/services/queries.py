"""Reads of the findings for the pages and the API, in the reader's scope (DOMAIN.md §1, §14)."""

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from basesys.accounts.models import Base
from basesys.accounts.scope import in_base_scope
from basesys.core.errors import NotFound
from basesys.extensions import db
from basesys.oversight.models import Anomaly
from basesys.oversight.services.recompute import anomaly_scope


@dataclass
class AnomalyPage:
    items: list[Anomaly]
    total: int
    page: int
    size: int


def _filtered(user, *, kind=None, status=None, base_id=None):
    query = select(Anomaly).where(anomaly_scope(user))
    if kind:
        query = query.where(Anomaly.kind == kind)
    if status:
        query = query.where(Anomaly.status == status)
    if base_id:
        query = query.where((Anomaly.base_id == base_id) | (Anomaly.other_base_id == base_id))
    return query


def list_anomalies(user, *, kind=None, status=None, base_id=None, page: int = 1, size: int = 50) -> AnomalyPage:
    """Findings in scope, open first then newest; the base and courses each row shows come along
    (statements do not grow with the page size)."""
    query = _filtered(user, kind=kind, status=status, base_id=base_id)
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    items = db.session.scalars(
        query.options(joinedload(Anomaly.base), joinedload(Anomaly.course))
        .order_by((Anomaly.status != "open"), Anomaly.detected_on.desc(), Anomaly.id.desc())
        .limit(size)
        .offset((page - 1) * size)
    ).all()
    return AnomalyPage(list(items), total, page, size)


def get_anomaly_for(user, anomaly_id: int) -> Anomaly:
    """The finding, or 404 when unknown or outside the officer's scope (a check in SQL)."""
    anomaly = db.session.scalar(select(Anomaly).where(Anomaly.id == anomaly_id, anomaly_scope(user)))
    if anomaly is None:
        raise NotFound()
    return anomaly


def require_base_in_scope(user, base_id: int) -> None:
    """404 unless the base is one the user may see (a filter of the lists)."""
    if db.session.scalar(select(Base.id).where(Base.id == base_id, in_base_scope(user, Base.id))) is None:
        raise NotFound()
