"""The append-only audit log (DOMAIN.md §12): services write it in the same transaction."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from basesys.core.time import UTCDateTime
from basesys.extensions import db


class AuditRecord(db.Model):
    __tablename__ = "audit_record"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    actor_label: Mapped[str] = mapped_column(String(120), default="")
    action: Mapped[str] = mapped_column(String(60), nullable=False)
    object_type: Mapped[str] = mapped_column(String(40), nullable=False)
    object_id: Mapped[int | None]
    # Scope columns so a bureau or base sees exactly its own records (DOMAIN.md §1).
    base_id: Mapped[int | None] = mapped_column(ForeignKey("base.id"))
    bureau_id: Mapped[int | None] = mapped_column(ForeignKey("bureau.id"))
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)
    reason: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (
        Index("ix_audit_object", "object_type", "object_id"),
        Index("ix_audit_at", "at"),
    )


def actor_label(actor) -> str:
    if actor is None:
        return "system"
    return f"{actor.role}:{actor.username}"


def audit(
    actor,
    action: str,
    obj=None,
    *,
    now: datetime,
    before=None,
    after=None,
    reason: str = "",
    base_id=None,
    bureau_id=None,
    object_type=None,
    object_id=None,
) -> AuditRecord:
    """Append one audit record to the current transaction (flushes nothing by itself)."""
    record = AuditRecord(
        at=now,
        actor_id=getattr(actor, "id", None),
        actor_label=actor_label(actor),
        action=action,
        object_type=object_type or (type(obj).__name__.lower() if obj is not None else "system"),
        object_id=object_id if object_id is not None else getattr(obj, "id", None),
        base_id=base_id,
        bureau_id=bureau_id,
        before=before,
        after=after,
        reason=reason or "",
    )
    db.session.add(record)
    return record


def history_of(object_type: str, object_id: int, *, actions: tuple[str, ...] | None = None) -> list[AuditRecord]:
    """The audit records of one object, oldest first: what every review page shows as its history
    (who submitted, approved or returned it, when, why). The log is the one record of these steps."""
    query = db.select(AuditRecord).where(AuditRecord.object_type == object_type, AuditRecord.object_id == object_id)
    if actions:
        query = query.where(AuditRecord.action.in_(actions))
    return list(db.session.scalars(query.order_by(AuditRecord.at, AuditRecord.id)))
