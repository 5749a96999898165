"""Demo certificates: the past course is finalised (results, hours ledger, signed certificates),
and one certificate of another course is revoked so the bureau's and the public pages show both states.

Runs after the courses and attendance demos. 张伟 (ctx["trainees"][0]) always ends with a certificate:
if the attendance demo did not make him a completer of the past course, he gets his own short
lecture, attended in full and finalised.
"""

from datetime import datetime, timedelta

from basesys.accounts.models import User
from basesys.attendance.services import course_policy, record_manual
from basesys.certificates.models import Certificate, CertificateStatus
from basesys.certificates.services import finalize_course, revoke_certificate
from basesys.core.time import LOCAL_TZ, local_date
from basesys.courses.models import Course
from basesys.courses.services import SessionInput, create_course, enroll_trainee
from basesys.extensions import db
from basesys.filing.services import decide_filing, submit_filing


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


def _officer_of(base) -> User:
    """An officer of the base's own bureau, who approves its filings."""
    return db.session.scalar(
        db.select(User)
        .where(User.role == "bureau_officer", User.bureau_id == base.bureau_id)
        .order_by(User.id)
        .limit(1)
    )


def _has_certificate(trainee_id: int) -> bool:
    return db.session.scalar(db.select(Certificate.id).where(Certificate.trainee_id == trainee_id).limit(1)) is not None


def _lecture_for(ctx: dict, trainees: list, now: datetime) -> Course:
    """A public-subject lecture ten days ago, filed and approved, attended in full by the first three
    demo trainees — all through the services (create, file, approve, enrol, 补签), as a base would."""
    base, admin = ctx["base_zz"], ctx["users"]["admin_zz"]
    officer = ctx["users"].get("officer_zz") or _officer_of(base)
    day = local_date(now) - timedelta(days=10)
    starts = datetime(day.year, day.month, day.day, 14, 0, tzinfo=LOCAL_TZ)
    ends = starts + timedelta(hours=3)
    values = {
        "title": f"{day.year}年专业技术人员公需科目专题讲座：数字经济与创新驱动",
        "category": "public",
        "kind": "lecture",
        "delivery": "offline",
        "location": "枣庄职业学院学术报告厅",
        "target": "全市专业技术人员",
        "planned_headcount": 100,
        "responsible": "周老师",
        "contact": "周老师",
        "contact_phone": "0632-5550101",
        "plan": "专题讲座一次，3 小时。",
        "attendance_mode": "in_out",
    }
    sessions = [SessionInput(starts, ends, "专题讲座")]
    course = create_course(admin, base, values=values, sessions=sessions, now=starts - timedelta(days=8))
    submit_filing(admin, course, now=starts - timedelta(days=7))
    decide_filing(officer, course, decision="approve", comment="同意备案。", now=starts - timedelta(days=6))
    for trainee in trainees[:3]:
        enroll_trainee(admin, course, id_number=trainee.id_number, now=starts - timedelta(days=5))
    policy = course_policy(course)
    reason = "现场纸质签到表补录（演示数据）"
    for trainee in trainees[:3]:
        for purpose, moment in (("in", starts), ("out", ends)):
            record_manual(
                admin, course.sessions[0], trainee, purpose=purpose, at=moment, reason=reason, now=ends, policy=policy
            )
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
