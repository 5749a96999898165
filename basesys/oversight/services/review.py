"""The officer's review of a finding (DOMAIN.md §14): open → reviewed, with a comment, audited."""

from datetime import datetime

from basesys.core.audit import audit
from basesys.core.errors import DomainError, ValidationFailed
from basesys.extensions import db
from basesys.oversight.models import Anomaly, AnomalyStatus

COMMENT_MESSAGE = "核查异常时必须填写核查意见。"


def review_anomaly(actor, anomaly: Anomaly, *, comment: str, now: datetime) -> Anomaly:
    """Mark a finding reviewed. Refuses `comment_required` (422) without a comment and
    `anomaly_already_reviewed` when it was reviewed before. The caller loaded it in scope."""
    comment = (comment or "").strip()
    if not comment:
        raise ValidationFailed({"comment": COMMENT_MESSAGE}, code="comment_required", message=COMMENT_MESSAGE)
    if anomaly.status == AnomalyStatus.REVIEWED:
        raise DomainError("anomaly_already_reviewed")
    anomaly.status, anomaly.review_comment = AnomalyStatus.REVIEWED, comment
    anomaly.reviewed_at, anomaly.reviewed_by_id, anomaly.updated_at = now, actor.id, now
    audit(
        actor,
        "anomaly.review",
        anomaly,
        now=now,
        before={"status": AnomalyStatus.OPEN},
        after={"status": AnomalyStatus.REVIEWED, "kind": anomaly.kind},
        reason=comment,
        base_id=anomaly.base_id,
        bureau_id=anomaly.base.bureau_id,
    )
    db.session.flush()
    return anomaly
