"""QR scans (DOMAIN.md §6): one code path for the scan page, the API and the numeric fallback code.

The scan is the hot path (hundreds of trainees within minutes), so it reads everything it needs
in ONE statement (session, course, the trainee, enrolment, their attendance row, whether this
phone already checked in someone else) and writes with one statement. Races are settled by the
database: unique(session, trainee) makes simultaneous scans of one trainee a single check-in and
unique(session, check_in_device) makes a phone check in one trainee per session; the losing
INSERT ... ON CONFLICT DO NOTHING writes nothing and the scan is re-read.
"""

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from basesys.accounts.models import Trainee, User
from basesys.attendance import codes
from basesys.attendance.engine import checkin_window, checkout_window
from basesys.attendance.models import PURPOSES, Attendance, Purpose, ScanAnswer, ScanRefusal, ScanVia, Via
from basesys.attendance.services.credit import course_policy
from basesys.attendance.services.issue import check_step, secret
from basesys.attendance.services.situation import Situation, check_scanner, read_situation
from basesys.core.errors import DomainError
from basesys.core.policy import DEFAULT_POLICY, Policy
from basesys.core.time import hhmm, iso
from basesys.courses.models import Course, FilingStatus
from basesys.extensions import db

# A numeric code may be typed slowly: codes up to this many steps old answer token_expired, not invalid.
CODE_LOOKBACK_STEPS = 20
# Wrong numeric codes a trainee may type for a session within CODE_GUESS_MINUTES (6 digits: no guessing).
CODE_GUESS_LIMIT = 10
CODE_GUESS_MINUTES = 10


@dataclass(frozen=True)
class ScanResult:
    result: ScanAnswer
    at: datetime
    session_id: int
    purpose: str
    attendance_id: int


def normalize_device_id(device_id: str | None) -> str | None:
    """Device ids are opaque; long ones are hashed to fit the column."""
    device_id = (device_id or "").strip()
    if not device_id:
        return None
    if len(device_id) > 64:
        return hashlib.sha256(device_id.encode()).hexdigest()
    return device_id


def _policy(situation: Situation) -> Policy:
    if not situation.overridden:
        return DEFAULT_POLICY
    return course_policy(db.session.get(Course, situation.course_id))


class _Refused(Exception):
    """Internal: a refusal together with what the refusal log needs."""

    def __init__(self, error: DomainError, situation: Situation, purpose: str, other_trainee_id=None):
        super().__init__(error.code)
        self.error, self.situation, self.purpose, self.other_trainee_id = error, situation, purpose, other_trainee_id


def _refuse(code: str, situation: Situation, purpose: str, message=None, other_trainee_id=None, **details):
    return _Refused(DomainError(code, message, **details), situation, purpose, other_trainee_id)


@dataclass(frozen=True)
class ScanPlan:
    """What a scan will do, decided from reads only (see `plan_scan`)."""

    situation: Situation | None
    purpose: str
    device_id: str | None
    now: datetime
    via: str
    refusal: "_Refused | None" = None
    answer: ScanResult | None = None  # already_checked_in: nothing to write


def plan_scan(
    who: Trainee | User,
    *,
    token: str | None = None,
    session_id: int | None = None,
    code: str | None = None,
    device_id: str | None,
    now: datetime,
    via: ScanVia = ScanVia.WEB,
) -> ScanPlan:
    """Decide a scan by reading only, so a caller may read outside SQLite's write lock (the API does).

    Raises token_invalid at once when no session is known (nothing to log); every other refusal
    is part of the plan, logged by `carry_out`.
    """
    device_id = normalize_device_id(device_id)
    via = via if token is not None else ScanVia.CODE
    try:
        if token is not None:
            situation, purpose = _by_token(token, who, device_id, now)
        else:
            situation, purpose = _by_code(session_id, code, who, device_id, now)
        answer = _decide(situation, purpose, now)
    except _Refused as refused:
        return ScanPlan(refused.situation, refused.purpose, device_id, now, via, refusal=refused)
    return ScanPlan(situation, purpose, device_id, now, via, answer=answer)


def carry_out(plan: ScanPlan) -> ScanResult:
    """Write the planned scan (one INSERT or UPDATE), or log its refusal and raise it."""
    try:
        if plan.refusal is not None:
            raise plan.refusal
        if plan.answer is not None:
            return plan.answer
        if plan.purpose == Purpose.IN:
            return _check_in(plan.situation, plan.device_id, plan.now)
        return _check_out(plan.situation, plan.device_id, plan.now)
    except _Refused as refused:
        _log_refusal(refused, plan.device_id, plan.now, plan.via)
        raise refused.error from None


def scan_for_staff(situation: Situation, purpose: str, *, at: datetime, via: Via, now: datetime) -> ScanResult:
    """A trainee's scan carried out by staff (§6 "Staff scan"): the same rules as `scan` at `at` (the
    scan's time on the server's clock), without the device binding — the device is staff's.

    The first check-in counts: an offline scan earlier than the stored check-in (not a 补签) moves
    it earlier. Refusals are logged (ScanRefusal, via staff) and raised as DomainError.
    """
    try:
        answer = _decide(situation, purpose, at)
        if answer is None:
            if purpose == Purpose.IN:
                return _check_in(situation, None, at, via, now)
            return _check_out(situation, None, at, via, now)
        if at < answer.at and _move_check_in_earlier(situation, at, via, now):
            return ScanResult(ScanAnswer.CHECKED_IN, at, situation.session_id, Purpose.IN, situation.row_id)
        return answer
    except _Refused as refused:
        _log_refusal(refused, None, at, ScanVia.STAFF)
        raise refused.error from None


def _move_check_in_earlier(situation: Situation, at: datetime, via: Via, now: datetime) -> bool:
    opens, closes = checkin_window(situation.spec, situation.attendance_mode, _policy(situation))
    if not opens <= at <= closes:
        return False  # the later check-in stands; this scan only repeats it
    return bool(
        db.session.execute(
            db.update(Attendance)
            .where(
                Attendance.id == situation.row_id, Attendance.check_in_at > at, Attendance.check_in_manual.is_(False)
            )
            .values(check_in_at=at, check_in_via=via, updated_at=now)
        ).rowcount
    )


def scan(
    who: Trainee | User,
    *,
    token: str | None = None,
    session_id: int | None = None,
    code: str | None = None,
    device_id: str | None,
    now: datetime,
    via: ScanVia = ScanVia.WEB,
) -> ScanResult:
    """Check in or out with a QR token or a session's numeric code, at `now` (the server's clock).

    `who` is the trainee, or the user account they scan with. Refuses token_invalid, token_expired,
    too_many_codes, course_not_approved, course_finalized, not_enrolled, outside_window,
    device_already_used; a repeated check-in is `already_checked_in`. A refusal for a known session
    is logged (ScanRefusal) in the caller's transaction, which the caller commits: the scan itself
    changed nothing.
    """
    plan = plan_scan(who, token=token, session_id=session_id, code=code, device_id=device_id, now=now, via=via)
    return carry_out(plan)


def _by_token(token, who, device_id, now) -> tuple[Situation, str]:
    try:
        parsed = codes.parse_token(secret(), token)
    except codes.BadToken:
        check_scanner(who)
        raise DomainError("token_invalid") from None
    situation = read_situation(parsed.session_id, who, device_id)
    if situation is None:
        raise DomainError("token_invalid")
    refused = check_step(parsed.step, now=now, policy=_policy(situation))
    if refused:
        raise _refuse(refused, situation, parsed.purpose)
    return situation, parsed.purpose


def _by_code(session_id, code, who, device_id, now) -> tuple[Situation, str]:
    if session_id is None:
        check_scanner(who)
    situation = read_situation(session_id, who, device_id) if session_id is not None else None
    if situation is None:
        raise DomainError("token_invalid")
    since = now - timedelta(minutes=CODE_GUESS_MINUTES)
    wrong = db.session.scalar(
        db.select(db.func.count())
        .select_from(ScanRefusal)
        .where(
            ScanRefusal.session_id == situation.session_id,
            ScanRefusal.trainee_id == situation.trainee_id,
            ScanRefusal.via == ScanVia.CODE,
            ScanRefusal.code == "token_invalid",
            ScanRefusal.at >= since,
        )
    )
    if wrong >= CODE_GUESS_LIMIT:
        raise _refuse("too_many_codes", situation, Purpose.IN)
    policy = _policy(situation)
    step = codes.current_step(now, policy.qr_period_seconds)
    found = codes.match_code(secret(), situation.session_id, code, step, CODE_LOOKBACK_STEPS)
    if found is None:
        raise _refuse("token_invalid", situation, Purpose.IN)
    purpose, code_step = found
    refused = check_step(code_step, now=now, policy=policy)
    if refused:
        raise _refuse(refused, situation, purpose)
    return situation, purpose


def _log_refusal(refused: _Refused, device_id, now, via) -> None:
    situation = refused.situation
    db.session.add(
        ScanRefusal(
            session_id=situation.session_id,
            trainee_id=situation.trainee_id,
            purpose=refused.purpose,
            code=refused.error.code,
            device_id=device_id,
            other_trainee_id=refused.other_trainee_id,
            via=via,
            at=now,
        )
    )
    db.session.flush()


def _decide(situation: Situation, purpose: str, now: datetime) -> ScanResult | None:
    """The rules of §6 in order; the answer when nothing is to be written (a repeated check-in)."""
    if situation.filing_status != FilingStatus.APPROVED:
        raise _refuse("course_not_approved", situation, purpose)
    if situation.finalized:
        raise _refuse("course_finalized", situation, purpose)
    if situation.trainee_id is None or not situation.enrolled:
        raise _refuse("not_enrolled", situation, purpose)
    if purpose == Purpose.IN and situation.check_in_at is not None:
        return ScanResult(
            ScanAnswer.ALREADY_CHECKED_IN, situation.check_in_at, situation.session_id, Purpose.IN, situation.row_id
        )
    policy = _policy(situation)
    if purpose == Purpose.IN:
        opens, closes = checkin_window(situation.spec, situation.attendance_mode, policy)
    else:
        opens, closes = checkout_window(situation.spec, policy)
    if not opens <= now <= closes:
        label = PURPOSES[purpose]
        message = f"现在不在{label}时间内。本课次{label}时间为 {hhmm(opens)}–{hhmm(closes)}。"
        raise _refuse("outside_window", situation, purpose, message, opens_at=iso(opens), closes_at=iso(closes))
    if situation.holder is not None:
        raise _refuse("device_already_used", situation, purpose, other_trainee_id=situation.holder)
    return None


_INSERTS: dict[str, object] = {}


def _insert_or_nothing(values: dict) -> int | None:
    """INSERT ... ON CONFLICT DO NOTHING RETURNING id: the id, or None when a unique constraint refused it.

    The statement is built once per dialect (building it costs more than running it).
    """
    dialect = db.session.get_bind().dialect.name
    if dialect in ("postgresql", "sqlite"):
        if dialect not in _INSERTS:
            table = Attendance.__table__  # Core, not the ORM's bulk-insert machinery
            insert = (postgresql if dialect == "postgresql" else sqlite).insert(table)
            _INSERTS[dialect] = insert.on_conflict_do_nothing().returning(table.c.id)
        return db.session.connection().execute(_INSERTS[dialect], values).scalar()  # Core: no ORM layer
    try:  # other databases: a savepoint around a plain INSERT
        with db.session.begin_nested():
            return db.session.execute(db.insert(Attendance).values(**values)).inserted_primary_key[0]
    except IntegrityError:
        return None


def _row_values(situation: Situation, now: datetime, written_at: datetime | None = None, **values) -> dict:
    return dict(
        session_id=situation.session_id,
        trainee_id=situation.trainee_id,
        check_in_manual=False,
        check_out_manual=False,
        created_at=written_at or now,
        updated_at=written_at or now,
        **values,
    )


def _check_in(situation: Situation, device_id, now, via: Via = Via.SELF, written_at=None) -> ScanResult:
    """`now` is the check-in's time; `written_at` the server's (a staff scan's time may be earlier)."""
    if situation.row_id is None:
        values = _row_values(situation, now, written_at, check_in_at=now, check_in_device=device_id, check_in_via=via)
        row_id = _insert_or_nothing(values)
    else:  # the trainee only checked out so far
        row_id = _set_check_in(situation.row_id, device_id, now, via, written_at)
    if row_id is not None:
        return ScanResult(ScanAnswer.CHECKED_IN, now, situation.session_id, Purpose.IN, row_id)
    # A simultaneous scan won: this trainee's own check-in, or this phone's for someone else.
    mine = _stored(situation.session_id, situation.trainee_id)
    if mine is not None and mine.check_in_at is not None:
        return ScanResult(ScanAnswer.ALREADY_CHECKED_IN, mine.check_in_at, situation.session_id, Purpose.IN, mine.id)
    if device_id is None and mine is not None:  # a staff scan binds no device: only a check-out was stored
        if _set_check_in(mine.id, None, now, via, written_at) is not None:
            return ScanResult(ScanAnswer.CHECKED_IN, now, situation.session_id, Purpose.IN, mine.id)
        mine = _stored(situation.session_id, situation.trainee_id)
        return ScanResult(ScanAnswer.ALREADY_CHECKED_IN, mine.check_in_at, situation.session_id, Purpose.IN, mine.id)
    holder = db.session.scalar(
        db.select(Attendance.trainee_id).where(
            Attendance.session_id == situation.session_id,
            Attendance.check_in_device == device_id,
            Attendance.trainee_id != situation.trainee_id,
        )
    )
    raise _refuse("device_already_used", situation, Purpose.IN, other_trainee_id=holder)


def _set_check_in(row_id: int, device_id, now, via: Via = Via.SELF, written_at=None) -> int | None:
    try:
        with db.session.begin_nested():
            changed = db.session.execute(
                db.update(Attendance)
                .where(Attendance.id == row_id, Attendance.check_in_at.is_(None))
                .values(
                    check_in_at=now,
                    check_in_device=device_id,
                    check_in_manual=False,
                    check_in_via=via,
                    updated_at=written_at or now,
                )
            ).rowcount
    except IntegrityError:  # the phone checked in someone else meanwhile
        return None
    return row_id if changed else None


def _check_out(situation: Situation, device_id, now, via: Via = Via.SELF, written_at=None) -> ScanResult:
    """The last check-out counts (§6): a later scan moves it, an earlier one never does."""
    row_id = situation.row_id
    if row_id is None:
        values = _row_values(
            situation, now, written_at, check_out_at=now, check_out_device=device_id, check_out_via=via
        )
        row_id = _insert_or_nothing(values)
        if row_id is not None:
            return ScanResult(ScanAnswer.CHECKED_OUT, now, situation.session_id, Purpose.OUT, row_id)
        row_id = _stored(situation.session_id, situation.trainee_id).id  # a simultaneous scan created it
    db.session.execute(
        db.update(Attendance)
        .where(Attendance.id == row_id)
        .where(Attendance.check_out_at.is_(None) | (Attendance.check_out_at <= now))
        .values(
            check_out_at=now,
            check_out_device=device_id,
            check_out_manual=False,
            check_out_via=via,
            updated_at=written_at or now,
        )
    )
    at = db.session.scalar(db.select(Attendance.check_out_at).where(Attendance.id == row_id))
    return ScanResult(ScanAnswer.CHECKED_OUT, at, situation.session_id, Purpose.OUT, row_id)


def _stored(session_id: int, trainee_id: int) -> Attendance | None:
    return db.session.scalar(
        db.select(Attendance)
        .where(Attendance.session_id == session_id, Attendance.trainee_id == trainee_id)
        .execution_options(populate_existing=True)
    )
