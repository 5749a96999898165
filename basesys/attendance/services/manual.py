"""补签 (DOMAIN.md §6): the base admin sets or corrects a check-in or check-out, with a reason, audited."""

from datetime import datetime

from sqlalchemy.exc import IntegrityError

from basesys.accounts.models import Trainee
from basesys.attendance.engine import SessionSpec, checkin_window, checkout_window
from basesys.attendance.models import PURPOSES, Attendance, Purpose
from basesys.core.audit import audit
from basesys.core.errors import DomainError, ValidationFailed
from basesys.core.policy import Policy
from basesys.core.time import hhmm, iso
from basesys.courses.models import CourseSession, Enrollment
from basesys.extensions import db


def _snapshot(row: Attendance) -> dict:
    return {
        "check_in": iso(row.check_in_at),
        "check_out": iso(row.check_out_at),
        "check_in_manual": row.check_in_manual,
        "check_out_manual": row.check_out_manual,
    }


def session_window(course_session: CourseSession, purpose: str, policy: Policy) -> tuple[datetime, datetime]:
    spec = SessionSpec(
        course_session.id, course_session.starts_at, course_session.ends_at, float(course_session.credit_hours)
    )
    if purpose == Purpose.IN:
        return checkin_window(spec, course_session.course.attendance_mode, policy)
    return checkout_window(spec, policy)


def _check_course_state(course_session: CourseSession) -> None:
    course = course_session.course
    if not course.is_approved:
        raise DomainError("course_not_approved")
    if course.finalized_at is not None:
        raise DomainError("course_finalized")


def _check_course(course_session: CourseSession, trainee: Trainee | None) -> None:
    _check_course_state(course_session)
    course = course_session.course
    enrolled = trainee is not None and db.session.scalar(
        db.select(Enrollment.id).where(Enrollment.course_id == course.id, Enrollment.trainee_id == trainee.id)
    )
    if not enrolled:
        raise DomainError("not_enrolled")


def _check_time(course_session, purpose, at, now, policy) -> None:
    if at.tzinfo is None:
        raise ValidationFailed({"at": "时间必须带时区"})
    if at > now:
        raise ValidationFailed({"at": "不能晚于现在"})
    opens, closes = session_window(course_session, purpose, policy)
    if not opens <= at <= closes:
        label = PURPOSES[purpose]
        raise ValidationFailed({"at": f"{label}时间须在 {hhmm(opens)}–{hhmm(closes)} 之间"})


def _row_for(course_session: CourseSession, trainee: Trainee, now: datetime) -> Attendance:
    def stored():
        return db.session.scalar(
            db.select(Attendance)
            .where(Attendance.session_id == course_session.id, Attendance.trainee_id == trainee.id)
            .execution_options(populate_existing=True)
        )

    row = stored()
    if row is not None:
        return row
    row = Attendance(session_id=course_session.id, trainee_id=trainee.id, created_at=now, updated_at=now)
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:  # a scan of the same trainee just landed
        row = stored()
    return row


def record_manual(
    actor,
    course_session: CourseSession,
    trainee: Trainee | None,
    *,
    purpose: str,
    at: datetime,
    reason: str,
    now: datetime,
    policy: Policy,
) -> Attendance:
    """补签: sets or corrects a check-in or check-out, marked manual and audited with before/after.

    Refuses reason_required (422), validation_failed on `at` (in the future, outside the session's
    window, check-out before check-in), course_not_approved, course_finalized, not_enrolled.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed({"reason": "补签必须填写原因"}, code="reason_required")
    if purpose not in PURPOSES:
        raise ValidationFailed({"purpose": "取值无效，可选：in, out"})
    _check_course(course_session, trainee)
    _check_time(course_session, purpose, at, now, policy)
    row = _row_for(course_session, trainee, now)
    before = _snapshot(row)
    if purpose == Purpose.IN:
        if row.check_out_at is not None and at > row.check_out_at:
            raise ValidationFailed({"at": "签到时间不能晚于签退时间"})
        row.check_in_at, row.check_in_manual = at, True
    else:
        if row.check_in_at is not None and at < row.check_in_at:
            raise ValidationFailed({"at": "签退时间不能早于签到时间"})
        row.check_out_at, row.check_out_manual = at, True
    row.updated_at = now
    course = course_session.course
    audit(
        actor,
        f"attendance.manual_{'check_in' if purpose == Purpose.IN else 'check_out'}",
        row,
        now=now,
        before=before,
        after=_snapshot(row),
        reason=reason,
        base_id=course.base_id,
        bureau_id=course.base.bureau_id,
    )
    db.session.flush()
    return row


def record_manual_bulk(
    actor,
    course_session: CourseSession,
    trainees: list[Trainee],
    *,
    purpose: str,
    at: datetime,
    reason: str,
    now: datetime,
    policy: Policy,
) -> list[Attendance]:
    """补签 of several trainees at once (from a paper 签到表): `record_manual` per trainee, each audited.

    All or nothing: every trainee's refusal is collected and raised together as one validation_failed
    (field `trainee_ids`, each line naming the trainee), so the caller's rollback saves none of them.
    Refuses what `record_manual` refuses, and an empty choice.
    """
    if not trainees:
        raise ValidationFailed({"trainee_ids": "请至少勾选一名学员"})
    if not (reason or "").strip():
        raise ValidationFailed({"reason": "补签必须填写原因"}, code="reason_required")
    if purpose not in PURPOSES:
        raise ValidationFailed({"purpose": "取值无效，可选：in, out"})
    # What holds for every row is checked once: one message, not one per trainee.
    _check_course_state(course_session)
    _check_time(course_session, purpose, at, now, policy)
    rows, wrong = [], []
    for trainee in trainees:
        try:
            rows.append(
                record_manual(
                    actor, course_session, trainee, purpose=purpose, at=at, reason=reason, now=now, policy=policy
                )
            )
        except ValidationFailed as refusal:  # this trainee's check-out before their check-in, or the reverse
            wrong.append(f"{trainee.name}：{'；'.join(refusal.fields.values())}")
        except DomainError as refusal:  # not_enrolled
            wrong.append(f"{trainee.name}：{refusal.message}")
    if wrong:
        raise ValidationFailed({"trainee_ids": "；".join(wrong) + "。未保存任何补签。"})
    return rows
