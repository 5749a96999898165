"""A trainee's outcome of a finalised course, the one answer every page gives (issue 15).

The roster said 未结业 with 12.0 hours and no word of a revocation, while the certificates page still
counted the trainee among the completers: each read `completed` and the certificate on its own.
Both now ask `outcome_of`: completed (with a valid certificate, or none printable yet), not
completed, or revoked (the certificate was revoked: its hours are void, §8).
"""

from enum import StrEnum

from sqlalchemy import func

from basesys.certificates.models import Certificate, CertificateStatus, CourseResult
from basesys.courses.models import Course
from basesys.extensions import db


class Outcome(StrEnum):
    COMPLETED = "completed"
    NOT_COMPLETED = "not_completed"
    REVOKED = "revoked"


# The roster export's 结业状态 and the pages' badges.
OUTCOME_LABELS = {Outcome.COMPLETED: "已结业", Outcome.NOT_COMPLETED: "未结业", Outcome.REVOKED: "证书已撤销"}


def outcome_of(completed: bool, certificate: Certificate | None) -> Outcome:
    if certificate is not None and certificate.status == CertificateStatus.REVOKED:
        return Outcome.REVOKED
    return Outcome.COMPLETED if completed else Outcome.NOT_COMPLETED


def outcome_counts(course: Course) -> dict[str, int]:
    """Per outcome, the course's trainees; `certificates`: its valid certificates (one statement)."""
    revoked = db.func.coalesce(Certificate.status == CertificateStatus.REVOKED, False)
    rows = db.session.execute(
        db.select(CourseResult.completed, revoked, func.count())
        .select_from(CourseResult)
        .outerjoin(Certificate, Certificate.id == CourseResult.certificate_id)
        .where(CourseResult.course_id == course.id)
        .group_by(CourseResult.completed, revoked)
    ).all()
    counts = {outcome.value: 0 for outcome in Outcome}
    for completed, is_revoked, count in rows:
        key = Outcome.REVOKED if is_revoked else (Outcome.COMPLETED if completed else Outcome.NOT_COMPLETED)
        counts[key.value] += count
    counts["certificates"] = counts[Outcome.COMPLETED.value] - db.session.scalar(
        db.select(func.count())
        .select_from(CourseResult)
        .where(CourseResult.course_id == course.id, CourseResult.completed, CourseResult.certificate_id.is_(None))
    )
    return counts
