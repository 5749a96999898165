"""Demo attendance: realistic scans for the past and today's courses, a 补签 and a refused scan.

Everything goes through the real services (a scan with the code the projector showed at its
instant, record_manual), so the pages show what production would.
"""

import contextlib
from datetime import datetime, timedelta

from basesys.accounts.models import Trainee, User
from basesys.attendance import services
from basesys.attendance.models import Purpose
from basesys.core.errors import DomainError
from basesys.courses.models import Course, Enrollment
from basesys.extensions import db


def load(ctx: dict, now: datetime) -> None:
    courses = ctx.get("courses") or {}
    past, today = courses.get("approved_past"), courses.get("approved_today")
    if past is not None:
        _past_course(past, now)
    if today is not None:
        _running_course(today, now)


def _enrolled(course: Course) -> list[Trainee]:
    return list(
        db.session.scalars(
            db.select(Trainee).join(Enrollment).where(Enrollment.course_id == course.id).order_by(Trainee.id)
        )
    )


def _admin_of(course: Course) -> User | None:
    return db.session.scalar(
        db.select(User).where(User.role == "base_admin", User.base_id == course.base_id).order_by(User.id)
    )


def _scan(trainee, course_session, purpose, moment, policy, device=None):
    token = services.issue_code(course_session, purpose, now=moment, policy=policy).token  # the projector's code then
    try:
        return services.scan(trainee, token=token, device_id=device or f"demo-phone-{trainee.id}", now=moment)
    except DomainError:
        return None  # refusals are logged by the service, as in production


def _proxy_device(trainees: list[Trainee], i: int, n: int) -> str | None:
    """代签 across sessions (DOMAIN §14 shared_device): in the second session, trainee 4 checks in
    trainee 5 with the phone 4 used in the morning, and checks in itself with a second phone."""
    if n != 1 or len(trainees) < 6:
        return None
    if i == 4:
        return f"demo-phone-{trainees[4].id}-b"
    return f"demo-phone-{trainees[4].id}" if i == 5 else None


def _past_course(course: Course, now: datetime) -> None:
    """Most trainees on time; one late, one forgets to check out (fixed by 补签), one absent, one proxy try
    refused (one phone, one session) and one proxy across sessions that only oversight notices."""
    trainees, policy = _enrolled(course), services.course_policy(course)
    if not trainees or course.finalized_at is not None:
        return
    for n, course_session in enumerate(course.sessions):
        for i, trainee in enumerate(trainees):
            if i == 3 and n == len(course.sessions) - 1:
                continue  # absent from the last session
            arrive = course_session.starts_at - timedelta(minutes=(i * 7 + n * 3) % 25)
            if i == 2 and n == 0:
                arrive = course_session.starts_at + timedelta(minutes=50)  # late: pro rata credit
            _scan(trainee, course_session, Purpose.IN, arrive, policy, device=_proxy_device(trainees, i, n))
            if i == 1 and n == 0:
                continue  # forgot to check out: the admin fixes it below
            leave = course_session.ends_at + timedelta(minutes=(i * 3 + n) % 12)
            _scan(trainee, course_session, Purpose.OUT, leave, policy)
    first, last = course.sessions[0], course.sessions[-1]
    if len(trainees) > 3:  # trainee 0's phone tries to check in the absent trainee 3 too (防代签)
        _scan(trainees[3], last, Purpose.IN, last.starts_at, policy, device=f"demo-phone-{trainees[0].id}")
    admin = _admin_of(course)
    if len(trainees) > 1 and admin is not None:
        services.record_manual(
            admin,
            first,
            trainees[1],
            purpose=Purpose.OUT,
            at=first.ends_at,
            reason="手机没电未能扫码签退，经班主任核实全程在场",
            now=min(now, first.ends_at + timedelta(hours=1)),
            policy=policy,
        )


def _running_course(course: Course, now: datetime) -> None:
    """Today's session: two thirds of the trainees have checked in so far; one typed an old code."""
    trainees, policy = _enrolled(course), services.course_policy(course)
    running = [s for s in course.sessions if s.starts_at - timedelta(hours=1) <= now <= s.ends_at]
    if not trainees or not running:
        return
    course_session = running[0]
    opens = course_session.starts_at - timedelta(minutes=policy.checkin_opens_minutes_before)
    arrivals = [a for a in trainees[: max(1, len(trainees) * 2 // 3)]]
    for i, trainee in enumerate(arrivals):
        moment = min(now, course_session.starts_at - timedelta(minutes=20) + timedelta(minutes=i * 2))
        if moment >= opens:
            _scan(trainee, course_session, Purpose.IN, moment, policy)
    late = trainees[-1]
    five_codes_ago = now - timedelta(seconds=5 * policy.qr_period_seconds)
    stale = services.issue_code(course_session, Purpose.IN, now=five_codes_ago, policy=policy).token
    with contextlib.suppress(DomainError):  # token_expired, logged for the admin
        services.scan(late, token=stale, device_id=f"demo-phone-{late.id}", now=now)
