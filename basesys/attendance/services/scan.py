"""QR scans and the admin's 补签 (DOMAIN.md §6): one code path for pages, API and manual entry.

Races are settled by the database: unique(session, trainee) makes simultaneous scans of the same
trainee one check-in; unique(session, check_in_device) makes a phone check in one trainee per
session even when two scans race. The losing insert fails inside a savepoint and is re-read.
"""

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy.exc import IntegrityError

from basesys.accounts.models import Trainee
from basesys.attendance import codes
from basesys.attendance.engine import SessionSpec, checkin_window, checkout_window
from basesys.attendance.models import PURPOSES, Attendance, ScanRefusal
from basesys.attendance.services.credit import course_policy
from basesys.core.audit import audit
from basesys.core.errors import DomainError, Refusal, ValidationFailed, register_refusals
from basesys.core.policy import DEFAULT_POLICY, Policy, PolicyOverride
from basesys.core.time import hhmm, iso
from basesys.courses.models import Course, CourseSession, Enrollment
from basesys.extensions import db

REFUSALS = {
    "token_invalid": Refusal(
        422, "二维码无效。请扫描投影屏幕上的签到二维码。", "Invalid code: scan the QR code on the projector screen."
    ),
    "token_expired": Refusal(
        410, "二维码已过期。请重新扫描投影屏幕上的最新二维码。", "This code has expired: scan the current one."
    ),
    "not_enrolled": Refusal(
        403, "您没有报名该培训项目，不能签到。如有疑问请联系培训基地。", "You are not enrolled in this course."
    ),
    "course_not_approved": Refusal(
        409, "该培训项目尚未通过备案，暂不能签到。请联系培训基地。", "The course filing is not approved: no check-in."
    ),
    "outside_window": Refusal(409, "现在不在签到（签退）时间内。", "Check-in or check-out is not open now."),
    "device_already_used": Refusal(
        409,
        "这部手机已为其他学员签到，不能再为他人签到（防代签）。请用本人手机扫码。",
        "This phone already checked in another trainee for this session.",
    ),
    "course_finalized": Refusal(
        409, "该培训项目已结业核算，考勤不能再更改。", "The course is finalized: attendance can no longer change."
    ),
    "too_many_codes": Refusal(
        429, "数字签到码输错次数过多，请稍后再试或扫描二维码。", "Too many wrong codes; wait or scan the QR code."
    ),
    "reason_required": Refusal(422, "补签必须填写原因。", "A manual entry needs a reason."),
}
register_refusals(REFUSALS)

# A numeric code may be typed slowly: codes up to this many steps old answer token_expired, not invalid.
CODE_LOOKBACK_STEPS = 20
# Wrong numeric codes a trainee may type for a session within CODE_GUESS_MINUTES (6 digits: no guessing).
CODE_GUESS_LIMIT = 10
CODE_GUESS_MINUTES = 10


@dataclass(frozen=True)
class ScanResult:
    result: str  # checked_in / checked_out / already_checked_in
    at: datetime
    session_id: int
    purpose: str
    attendance: Attendance
    course_session: CourseSession


def _secret() -> str:
    return current_app.config["SECRET_KEY"]


def normalize_device_id(device_id: str | None) -> str | None:
    """Device ids are opaque; long ones are hashed to fit the column."""
    device_id = (device_id or "").strip()
    if not device_id:
        return None
    if len(device_id) > 64:
        return hashlib.sha256(device_id.encode()).hexdigest()
    return device_id


def scan_policy(course: Course) -> Policy:
    """The course's policy; skips walking the bureau chain when no bureau overrides anything (hot path)."""
    if db.session.scalar(db.select(PolicyOverride.id).limit(1)) is None:
        return DEFAULT_POLICY
    return course_policy(course)


def _spec(course_session: CourseSession) -> SessionSpec:
    return SessionSpec(
        course_session.id, course_session.starts_at, course_session.ends_at, float(course_session.credit_hours)
    )


# --- codes ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IssuedCode:
    url: str
    token: str
    code: str
    step: int
    expires_at: datetime
    refresh_at: datetime  # when the projector shows the next code


def issue_code(course_session: CourseSession, purpose: str, *, now: datetime, policy: Policy) -> IssuedCode:
    """The code of the current step for the projector or the API; refuses course_not_approved."""
    if not course_session.course.is_approved:
        raise DomainError("course_not_approved")
    period = policy.qr_period_seconds
    step = codes.current_step(now, period)
    token = codes.make_token(_secret(), course_session.id, purpose, step)
    return IssuedCode(
        url=f"{current_app.config['BASE_URL']}/q/{token}",
        token=token,
        code=codes.numeric_code(_secret(), course_session.id, purpose, step),
        step=step,
        expires_at=codes.expires_at(step, period),
        refresh_at=codes.step_start(step + 1, period),
    )


def resolve_token(token: str, *, now: datetime) -> tuple[CourseSession, str, Policy]:
    """The session and purpose of a QR token; refuses token_invalid (422) and token_expired (410)."""
    try:
        parsed = codes.parse_token(_secret(), token)
    except codes.BadToken:
        raise DomainError("token_invalid") from None
    course_session = db.session.get(CourseSession, parsed.session_id)
    if course_session is None:
        raise DomainError("token_invalid")
    policy = scan_policy(course_session.course)
    step = codes.current_step(now, policy.qr_period_seconds)
    if parsed.step > step:  # not issued yet by a server whose clock is right
        raise _refusal("token_invalid", course_session, parsed.purpose)
    if parsed.step < step - 1:
        raise _refusal("token_expired", course_session, parsed.purpose)
    return course_session, parsed.purpose, policy


def _resolve_code(session_id: int, code: str, trainee: Trainee, *, now: datetime):
    course_session = db.session.get(CourseSession, session_id)
    if course_session is None:
        raise DomainError("token_invalid")
    since = now - timedelta(minutes=CODE_GUESS_MINUTES)
    wrong = db.session.scalar(
        db.select(db.func.count())
        .select_from(ScanRefusal)
        .where(
            ScanRefusal.session_id == session_id,
            ScanRefusal.trainee_id == trainee.id,
            ScanRefusal.via == "code",
            ScanRefusal.code == "token_invalid",
            ScanRefusal.at >= since,
        )
    )
    if wrong >= CODE_GUESS_LIMIT:
        raise _refusal("too_many_codes", course_session, "in")
    policy = scan_policy(course_session.course)
    step = codes.current_step(now, policy.qr_period_seconds)
    found = codes.match_code(_secret(), session_id, code, step, CODE_LOOKBACK_STEPS)
    if found is None:
        raise _refusal("token_invalid", course_session, "in")
    purpose, code_step = found
    if code_step < step - 1:
        raise _refusal("token_expired", course_session, purpose)
    return course_session, purpose, policy


def _refusal(code: str, course_session: CourseSession, purpose: str, message: str | None = None, **details):
    error = DomainError(code, message, **details)
    error.scan_context = (course_session, purpose)
    return error


# --- scanning ---------------------------------------------------------------------------------


def scan(
    trainee: Trainee,
    *,
    token: str | None = None,
    session_id: int | None = None,
    code: str | None = None,
    device_id: str | None,
    now: datetime,
    via: str = "web",
) -> ScanResult:
    """Check in or out with a QR token or a session's numeric code, at `now` (the server's clock).

    Refuses token_invalid, token_expired, too_many_codes, course_not_approved, course_finalized,
    not_enrolled, outside_window, device_already_used; a repeated check-in is `already_checked_in`.
    A refusal for a known session is logged (ScanRefusal) in the caller's transaction, which the
    caller commits before answering: the scan itself changed nothing.
    """
    device_id = normalize_device_id(device_id)
    try:
        if token is not None:
            course_session, purpose, policy = resolve_token(token, now=now)
        else:
            course_session, purpose, policy = _resolve_code(session_id, code, trainee, now=now)
        return _apply(course_session, purpose, trainee, device_id=device_id, now=now, policy=policy)
    except DomainError as error:
        context = getattr(error, "scan_context", None)
        if context is not None:
            course_session, purpose = context
            _log_refusal(course_session, purpose, error, trainee, device_id, now, "code" if token is None else via)
        raise


def _log_refusal(course_session, purpose, error, trainee, device_id, now, via) -> None:
    db.session.add(
        ScanRefusal(
            session_id=course_session.id,
            trainee_id=trainee.id if trainee is not None else None,
            purpose=purpose,
            code=error.code,
            device_id=device_id,
            other_trainee_id=error.details.pop("_other_trainee_id", None),
            via=via,
            at=now,
        )
    )
    db.session.flush()


def _check_course(course_session: CourseSession, purpose: str, trainee: Trainee) -> None:
    course = course_session.course
    if not course.is_approved:
        raise _refusal("course_not_approved", course_session, purpose)
    if course.finalized_at is not None:
        raise _refusal("course_finalized", course_session, purpose)
    enrolled = db.session.scalar(
        db.select(Enrollment.id).where(Enrollment.course_id == course.id, Enrollment.trainee_id == trainee.id)
    )
    if enrolled is None:
        raise _refusal("not_enrolled", course_session, purpose)


def _window(course_session: CourseSession, purpose: str, policy: Policy) -> tuple[datetime, datetime]:
    if purpose == "in":
        return checkin_window(_spec(course_session), course_session.course.attendance_mode, policy)
    return checkout_window(_spec(course_session), policy)


def _check_window(course_session, purpose, now, policy) -> None:
    opens, closes = _window(course_session, purpose, policy)
    if not opens <= now <= closes:
        label = PURPOSES[purpose]
        raise _refusal(
            "outside_window",
            course_session,
            purpose,
            f"现在不在{label}时间内。本课次{label}时间为 {hhmm(opens)}–{hhmm(closes)}。",
            opens_at=iso(opens),
            closes_at=iso(closes),
        )


def _row(course_session_id: int, trainee_id: int) -> Attendance | None:
    return db.session.scalar(
        db.select(Attendance).where(Attendance.session_id == course_session_id, Attendance.trainee_id == trainee_id)
    )


def _device_holder(course_session, device_id, trainee) -> int | None:
    """Another trainee this phone already checked in for the session (防代签), or None."""
    if device_id is None:
        return None
    return db.session.scalar(
        db.select(Attendance.trainee_id).where(
            Attendance.session_id == course_session.id,
            Attendance.check_in_device == device_id,
            Attendance.trainee_id != trainee.id,
        )
    )


def _device_used(course_session, purpose, other_trainee_id) -> DomainError:
    return _refusal("device_already_used", course_session, purpose, _other_trainee_id=other_trainee_id)


def _apply(course_session, purpose, trainee, *, device_id, now, policy) -> ScanResult:
    _check_course(course_session, purpose, trainee)
    row = _row(course_session.id, trainee.id)
    if purpose == "in" and row is not None and row.check_in_at is not None:
        return ScanResult("already_checked_in", row.check_in_at, course_session.id, purpose, row, course_session)
    _check_window(course_session, purpose, now, policy)
    holder = _device_holder(course_session, device_id, trainee)
    if holder is not None:
        raise _device_used(course_session, purpose, holder)
    if purpose == "in":
        return _check_in(course_session, trainee, row, device_id, now)
    return _check_out(course_session, trainee, row, device_id, now)


def _set_check_in(row: Attendance, device_id, now) -> None:
    row.check_in_at, row.check_in_device, row.check_in_manual, row.updated_at = now, device_id, False, now


def _set_check_out(row: Attendance, device_id, now) -> None:
    row.check_out_at, row.check_out_device, row.check_out_manual, row.updated_at = now, device_id, False, now


def _check_in(course_session, trainee, row, device_id, now) -> ScanResult:
    try:
        with db.session.begin_nested():
            if row is None:
                row = Attendance(session_id=course_session.id, trainee_id=trainee.id, created_at=now)
                db.session.add(row)
            _set_check_in(row, device_id, now)
    except IntegrityError:
        # A simultaneous scan won: either this trainee's check-in or this phone's for someone else.
        mine = _row(course_session.id, trainee.id)
        if mine is not None and mine.check_in_at is not None:
            return ScanResult("already_checked_in", mine.check_in_at, course_session.id, "in", mine, course_session)
        raise _device_used(course_session, "in", _device_holder(course_session, device_id, trainee)) from None
    return ScanResult("checked_in", now, course_session.id, "in", row, course_session)


def _check_out(course_session, trainee, row, device_id, now) -> ScanResult:
    """The last check-out counts (§6): a later scan moves it, an earlier one never does."""
    if row is None:
        try:
            with db.session.begin_nested():
                row = Attendance(session_id=course_session.id, trainee_id=trainee.id, created_at=now)
                db.session.add(row)
                _set_check_out(row, device_id, now)
            return ScanResult("checked_out", now, course_session.id, "out", row, course_session)
        except IntegrityError:
            row = _row(course_session.id, trainee.id)
    if row.check_out_at is None or now >= row.check_out_at:
        _set_check_out(row, device_id, now)
        db.session.flush()
    return ScanResult("checked_out", row.check_out_at, course_session.id, "out", row, course_session)


# --- 补签 ---------------------------------------------------------------------------------------


def _snapshot(row: Attendance) -> dict:
    return {
        "check_in": iso(row.check_in_at),
        "check_out": iso(row.check_out_at),
        "check_in_manual": row.check_in_manual,
        "check_out_manual": row.check_out_manual,
    }


def record_manual(
    course_session: CourseSession,
    trainee: Trainee | None,
    *,
    purpose: str,
    at: datetime,
    reason: str,
    actor,
    now: datetime,
    policy: Policy,
) -> Attendance:
    """补签: the admin sets or corrects a check-in or check-out, marked manual and audited.

    Refuses reason_required (422), validation_failed on `at` (in the future, outside the session's
    window, check-out before check-in), course_not_approved, course_finalized, not_enrolled.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed({"reason": "补签必须填写原因"}, code="reason_required")
    if purpose not in PURPOSES:
        raise ValidationFailed({"purpose": "取值无效，可选：in, out"})
    if trainee is None:
        raise DomainError("not_enrolled")
    _check_course(course_session, purpose, trainee)
    _check_manual_time(course_session, purpose, at, now, policy)
    row = _row(course_session.id, trainee.id)
    if row is None:
        row = Attendance(session_id=course_session.id, trainee_id=trainee.id, created_at=now, updated_at=now)
        try:
            with db.session.begin_nested():
                db.session.add(row)
        except IntegrityError:  # a scan of the same trainee just landed
            row = _row(course_session.id, trainee.id)
    before = _snapshot(row)
    if purpose == "in":
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
        f"attendance.manual_{'check_in' if purpose == 'in' else 'check_out'}",
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


def _check_manual_time(course_session, purpose, at, now, policy) -> None:
    if at.tzinfo is None:
        raise ValidationFailed({"at": "时间必须带时区"})
    if at > now:
        raise ValidationFailed({"at": "不能晚于现在"})
    opens, closes = _window(course_session, purpose, policy)
    if not opens <= at <= closes:
        label = PURPOSES[purpose]
        raise ValidationFailed({"at": f"{label}时间须在 {hhmm(opens)}–{hhmm(closes)} 之间"})
