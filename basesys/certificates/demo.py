"""Demo certificates: the past course is finalised (results, hours ledger, signed certificates),
and one certificate of another course is revoked so the bureau's and the public pages show both states.

Runs after the courses and attendance demos. 张伟 (ctx["trainees"][0]) always ends with a certificate:
if the attendance demo did not make him a completer of the past course, he gets his own short
lecture, attended in full and finalised.
"""

from datetime import datetime, timedelta

from basesys.attendance.models import Attendance
from basesys.certificates.models import Certificate, CertificateStatus
from basesys.certificates.services import finalize_course, revoke_certificate
from basesys.core.hours import floor_to_half
from basesys.core.policy import policy_for_base
from basesys.core.time import LOCAL_TZ, local_date
from basesys.courses.models import Course, CourseSession, Enrollment
from basesys.extensions import db


def load(ctx: dict, now: datetime) -> None:
    courses = ctx.get("courses") or {}
    trainees = ctx.get("trainees") or []
    admin = (ctx.get("users") or {}).get("admin_zz")
    past = courses.get("approved_past")
    if past is not None and past.finalized_at is None and past.ends_at is not None and past.ends_at <= now:
        finalize_course(_admin_of(ctx, past), past, now=now)
    if trainees and admin is not None and not _has_certificate(trainees[0].id):
        lecture = _lecture_for(ctx, trainees, now)
        finalize_course(admin, lecture, now=now)
    _revoke_one(ctx, past, now)
    db.session.flush()


def _admin_of(ctx: dict, course: Course):
    users = ctx.get("users") or {}
    return next((u for u in users.values() if u.role == "base_admin" and u.base_id == course.base_id), None)


def _has_certificate(trainee_id: int) -> bool:
    return db.session.scalar(db.select(Certificate.id).where(Certificate.trainee_id == trainee_id).limit(1)) is not None


def _lecture_for(ctx: dict, trainees: list, now: datetime) -> Course:
    """A filed public-subject lecture ten days ago, attended in full by the first three demo trainees."""
    base = ctx["base_zz"]
    day = local_date(now) - timedelta(days=10)
    starts = datetime(day.year, day.month, day.day, 14, 0, tzinfo=LOCAL_TZ)
    ends = starts + timedelta(hours=3)
    policy = policy_for_base(base, day.year)
    hours = floor_to_half((ends - starts).total_seconds() / 60 / policy.minutes_per_credit_hour)
    course = Course(
        base=base,
        title=f"{day.year}年专业技术人员公需科目专题讲座：数字经济与创新驱动",
        category="public",
        kind="lecture",
        delivery="offline",
        location="枣庄职业学院学术报告厅",
        target="全市专业技术人员",
        planned_headcount=100,
        responsible="周老师",
        contact="周老师",
        contact_phone="0632-5550101",
        plan="专题讲座一次，3 小时。",
        attendance_mode="in_out",
        filing_status="approved",
        filing_number=f"备{day.year}-{base.code}-D{day.strftime('%m%d')}",
        submitted_at=starts - timedelta(days=7),
        approved_at=starts - timedelta(days=6),
        planned_days=1,
        planned_hours=hours,
        created_at=starts - timedelta(days=8),
        updated_at=starts - timedelta(days=6),
    )
    course.sessions.append(CourseSession(title="专题讲座", starts_at=starts, ends_at=ends, credit_hours=hours))
    db.session.add(course)
    db.session.flush()
    for trainee in trainees[:3]:
        db.session.add(Enrollment(course=course, trainee=trainee, source="admin", created_at=course.created_at))
        db.session.add(
            Attendance(
                session_id=course.sessions[0].id,
                trainee_id=trainee.id,
                check_in_at=starts - timedelta(minutes=8),
                check_out_at=ends + timedelta(minutes=3),
                created_at=starts,
                updated_at=ends,
            )
        )
    db.session.flush()
    return course


def _revoke_one(ctx: dict, past: Course | None, now: datetime) -> None:
    """Revoke the last certificate of the past course that is not 张伟's (a demo of 撤销)."""
    if past is None:
        return
    keep = {t.id for t in (ctx.get("trainees") or [])[:2]}
    candidate = db.session.scalar(
        db.select(Certificate)
        .where(
            Certificate.course_id == past.id,
            Certificate.status == CertificateStatus.VALID,
            Certificate.trainee_id.not_in(keep),
        )
        .order_by(Certificate.sequence.desc())
        .limit(1)
    )
    officer = (ctx.get("users") or {}).get("officer_zz")
    if candidate is None or officer is None:
        return
    reason = "经核查，该学员有一次课由他人代为签到，撤销证书（演示数据）"
    revoke_certificate(officer, candidate, reason=reason, now=now)
