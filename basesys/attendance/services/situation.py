"""What a scan decides on, read in ONE prebuilt statement (the scan is the hot path)."""

from dataclasses import dataclass
from datetime import datetime

from basesys.accounts.models import Role, Trainee, User
from basesys.accounts.tokens import TokenClaims
from basesys.attendance.engine import SessionSpec
from basesys.attendance.models import Attendance
from basesys.core.errors import DomainError
from basesys.core.policy import PolicyOverride
from basesys.courses.models import Course, CourseSession, Enrollment
from basesys.extensions import db


@dataclass(frozen=True)
class Situation:
    """Everything a scan decides on, read in one statement."""

    session_id: int
    course_id: int
    starts_at: datetime
    ends_at: datetime
    credit_hours: float
    attendance_mode: str
    filing_status: str
    finalized: bool
    overridden: bool  # some bureau overrides a policy number: read the course's policy
    trainee_id: int | None
    enrolled: bool
    row_id: int | None
    check_in_at: datetime | None
    check_out_at: datetime | None
    holder: int | None  # another trainee this phone already checked in for the session
    # The scanning user's row (by_user statements only): an API scan checks its token against it.
    user_active: bool | None = None
    user_generation: int | None = None
    user_role: str | None = None

    @property
    def spec(self) -> SessionSpec:
        return SessionSpec(self.session_id, self.starts_at, self.ends_at, float(self.credit_hours))


_SITUATION_STATEMENTS: dict[bool, object] = {}


def _situation_statement(by_user: bool):
    """Built once per process with bound parameters: SQLAlchemy then reuses the compiled SQL."""
    if by_user not in _SITUATION_STATEMENTS:
        person = (Trainee.user_id if by_user else Trainee.id) == db.bindparam("person_id")
        other = db.aliased(Attendance, name="other_attendance")
        holder = (
            db.select(other.trainee_id)
            .where(other.session_id == CourseSession.id, other.check_in_device == db.bindparam("device_id"))
            .where(other.trainee_id != Trainee.id)
            .limit(1)
            .scalar_subquery()
        )
        _SITUATION_STATEMENTS[by_user] = (
            db.select(
                CourseSession.id,
                CourseSession.course_id,
                CourseSession.starts_at,
                CourseSession.ends_at,
                CourseSession.credit_hours,
                Course.attendance_mode,
                Course.filing_status,
                Course.finalized_at.is_not(None),
                db.select(PolicyOverride.id).limit(1).exists(),
                Trainee.id,
                Enrollment.id.is_not(None),
                Attendance.id,
                Attendance.check_in_at,
                Attendance.check_out_at,
                holder,
                *((User.active, User.token_generation, User.role) if by_user else ()),
            )
            .select_from(CourseSession)
            .join(Course, Course.id == CourseSession.course_id)
            .outerjoin(Trainee, person)
            .outerjoin(Enrollment, (Enrollment.course_id == Course.id) & (Enrollment.trainee_id == Trainee.id))
            .outerjoin(Attendance, (Attendance.session_id == CourseSession.id) & (Attendance.trainee_id == Trainee.id))
            .where(CourseSession.id == db.bindparam("session_id"))
        )
        if by_user:
            _SITUATION_STATEMENTS[by_user] = _SITUATION_STATEMENTS[by_user].outerjoin(
                User, User.id == db.bindparam("person_id")
            )
    return _SITUATION_STATEMENTS[by_user]


def read_situation(session_id: int, who, device_id: str | None) -> Situation | None:
    """The session and the scanning trainee (a Trainee, the User they log in as, or the TokenClaims
    of an API scan); None: no such session.

    A NULL device matches no row, so `holder` is None without a device. For TokenClaims the same
    statement reads the user's row, and a token that no longer holds is refused here: 401 when the
    account is disabled or its password changed, 403 when it is not a trainee's.
    """
    statement = _situation_statement(by_user=not isinstance(who, Trainee))
    params = {"person_id": who.id, "device_id": device_id, "session_id": session_id}
    found = db.session.connection().execute(statement, params).first()  # Core: no ORM layer
    situation = None if found is None else Situation(*found)
    if isinstance(who, TokenClaims):
        _check_claims(who, situation)
    return situation


def check_scanner(who) -> None:
    """A scan refused before any session is read (a malformed token) still answers 401/403 first
    for an API token that no longer holds or is not a trainee's (API.md: 403 role not allowed)."""
    if isinstance(who, TokenClaims):
        _check_claims(who, None)


def _check_claims(claims: TokenClaims, situation: Situation | None) -> None:
    if situation is None:  # unknown session: the statement read no user row, so read it alone
        user = db.session.get(User, claims.id)
        active, generation, role = (user.active, user.token_generation, user.role) if user else (None, None, None)
    else:
        active, generation, role = situation.user_active, situation.user_generation, situation.user_role
    if not claims.accepts(active, generation):
        raise DomainError("unauthorized")
    if role != Role.TRAINEE:
        raise DomainError("forbidden")
