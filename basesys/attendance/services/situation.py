"""What a scan decides on, read in ONE prebuilt statement (the scan is the hot path)."""

from dataclasses import dataclass
from datetime import datetime

from basesys.accounts.models import Trainee, User
from basesys.attendance.engine import SessionSpec
from basesys.attendance.models import Attendance
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
            )
            .select_from(CourseSession)
            .join(Course, Course.id == CourseSession.course_id)
            .outerjoin(Trainee, person)
            .outerjoin(Enrollment, (Enrollment.course_id == Course.id) & (Enrollment.trainee_id == Trainee.id))
            .outerjoin(Attendance, (Attendance.session_id == CourseSession.id) & (Attendance.trainee_id == Trainee.id))
            .where(CourseSession.id == db.bindparam("session_id"))
        )
    return _SITUATION_STATEMENTS[by_user]


def read_situation(session_id: int, who: Trainee | User, device_id: str | None) -> Situation | None:
    """The session and the scanning trainee (a Trainee, or the User they log in as); None: no such session.

    A NULL device matches no row, so `holder` is None without a device.
    """
    statement = _situation_statement(by_user=not isinstance(who, Trainee))
    params = {"person_id": who.id, "device_id": device_id, "session_id": session_id}
    found = db.session.connection().execute(statement, params).first()  # Core: no ORM layer
    return None if found is None else Situation(*found)
