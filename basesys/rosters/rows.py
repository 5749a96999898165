"""The rows of a roster (DOMAIN.md §9): every enrolled trainee, completed or not.

JSON keys (API.md "Roster filing"): seq, trainee_id, name, gender (male/female), id_number (full:
the roster goes to the bureau), employer, series, title, course_title, category (public/
professional), start_date, end_date, credited_hours, certificate_number (null when none),
completed (bool), outcome (completed/not_completed/revoked; null before finalisation) and
revoked_reason. The exports turn them into the Chinese columns of §9 (`HEADER`).
"""

from basesys.accounts.models import Trainee
from basesys.certificates.models import Certificate, CourseResult
from basesys.certificates.services.outcomes import OUTCOME_LABELS, Outcome, outcome_of
from basesys.core.ids import GENDER_LABELS
from basesys.core.time import local_date
from basesys.courses.models import CATEGORIES, Course, Enrollment
from basesys.extensions import db

HEADER = [
    "序号",
    "姓名",
    "性别",
    "身份证号",
    "工作单位",
    "专业技术系列",
    "职称",
    "培训项目",
    "科目类别",
    "培训起止日期",
    "认定学时",
    "证书编号",
    "结业状态",
]
ID_COLUMN = HEADER.index("身份证号")
HOURS_COLUMN = HEADER.index("认定学时")


def course_dates(course: Course) -> tuple[str | None, str | None]:
    """First and last local dates of the course's sessions (ISO)."""
    days = sorted(local_date(s.starts_at) for s in course.sessions)
    if not days:
        return None, None
    return days[0].isoformat(), days[-1].isoformat()


def live_rows(course: Course) -> list[dict]:
    """The roster as the data stand now: one row per enrolment, with the finalisation results."""
    query = (
        db.select(Trainee, CourseResult, Certificate)
        .select_from(Enrollment)
        .join(Trainee, Trainee.id == Enrollment.trainee_id)
        .outerjoin(
            CourseResult, (CourseResult.course_id == Enrollment.course_id) & (CourseResult.trainee_id == Trainee.id)
        )
        .outerjoin(Certificate, Certificate.id == CourseResult.certificate_id)
        .where(Enrollment.course_id == course.id)
        .order_by(Enrollment.id)
    )
    start, end = course_dates(course)
    rows = []
    for seq, (trainee, result, certificate) in enumerate(db.session.execute(query).all(), 1):
        # One outcome everywhere (certificates.services.outcomes): a revoked certificate's hours are void.
        outcome = outcome_of(bool(result is not None and result.completed), certificate)
        valid = certificate is not None and outcome != Outcome.REVOKED
        rows.append(
            {
                "seq": seq,
                "trainee_id": trainee.id,
                "name": trainee.name,
                "gender": trainee.gender_code,
                "id_number": trainee.id_number,
                "employer": trainee.employer or "",
                "series": trainee.series or "",
                "title": trainee.title or "",
                "course_title": course.title,
                "category": course.category,
                "start_date": start,
                "end_date": end,
                "credited_hours": float(result.credited_hours or 0) if result is not None else 0.0,
                "certificate_number": certificate.number if valid else None,
                "completed": outcome == Outcome.COMPLETED,
                "outcome": outcome.value if result is not None else None,
                "revoked_reason": certificate.revoked_reason if outcome == Outcome.REVOKED else None,
            }
        )
    return rows


def date_range_text(row: dict) -> str:
    start, end = row.get("start_date"), row.get("end_date")
    if not start:
        return ""
    return start if start == end else f"{start}至{end}"


def export_values(row: dict) -> list:
    """One row in the order and wording of §9's columns."""
    return [
        row["seq"],
        row["name"],
        GENDER_LABELS.get("M" if row["gender"] == "male" else "F", ""),
        row["id_number"],
        row["employer"],
        row["series"],
        row["title"],
        row["course_title"],
        CATEGORIES.get(row["category"], row["category"]),
        date_range_text(row),
        0.0 if row.get("outcome") == Outcome.REVOKED else row["credited_hours"],  # void hours are not 认定
        row["certificate_number"] or "",
        _status_text(row),
    ]


def _status_text(row: dict) -> str:
    if row.get("outcome") == Outcome.REVOKED:
        reason = row.get("revoked_reason") or ""
        return f"{OUTCOME_LABELS[Outcome.REVOKED]}（学时作废）" + (f"：{reason}" if reason else "")
    return OUTCOME_LABELS[Outcome.COMPLETED] if row["completed"] else OUTCOME_LABELS[Outcome.NOT_COMPLETED]
