"""Importing an enrolment file (报名表, DOMAIN.md §5): all rows or none.

Checks run in bulk (one query for the ID numbers already known, one for the enrolments), so ten
thousand rows take seconds, not minutes. Every bad row is reported with its line, column and reason.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError

from basesys.accounts.models import Trainee
from basesys.core.audit import audit
from basesys.core.errors import DomainError
from basesys.core.ids import GENDER_LABELS, birth_date_of, gender_of, id_number_problem
from basesys.core.inputs import NAME_MESSAGE, NUL_MESSAGE, has_invisible
from basesys.core.phones import phone_problem
from basesys.core.time import local_date
from basesys.courses.enrollment_file import TITLES, EnrollmentRow, invalid, problem, read_enrollment_file
from basesys.courses.models import Course, Enrollment
from basesys.courses.services.enrollment import check_room, lock_course
from basesys.extensions import db

LIMITS = {"name": 60, "employer": 120, "series": 40, "title": 40, "phone": 20}
GENDERS = {"男": "M", "女": "F", "男性": "M", "女性": "F", "M": "M", "F": "F", "m": "M", "f": "F"}
CHUNK = 500  # ID numbers per IN (...) query


@dataclass(frozen=True)
class ImportResult:
    imported: int  # new enrolments
    created_trainees: int  # trainee records made from rows of people not known yet
    already_enrolled: int  # rows whose trainee was on the list already (a re-upload is harmless)


def _check_row(row: EnrollmentRow, today, seen: dict[str, int]) -> tuple[str | None, list[dict]]:
    """The normalized ID number (None when unusable) and the row's problems, the phone's last
    (its column is the last): a given phone must be a mobile or a landline, an empty one is allowed."""
    number, problems = _check_cells(row, today, seen)
    phone = row.values.get("phone", "")
    if len(phone) <= LIMITS["phone"] and "\x00" not in phone and (reason := phone_problem(phone)):
        problems.append(problem(row.line, TITLES["phone"], reason))  # too long or a NUL: said already
    return number, problems


def _check_cells(row: EnrollmentRow, today, seen: dict[str, int]) -> tuple[str | None, list[dict]]:
    problems = list(row.problems)
    values, line = row.values, row.line
    if not values.get("name"):
        problems.append(problem(line, TITLES["name"], "姓名不能为空"))
    elif has_invisible(values["name"]):
        problems.append(problem(line, TITLES["name"], "姓名" + NAME_MESSAGE))
    for key in sorted(key for key, value in values.items() if key != "name" and "\x00" in str(value)):
        problems.append(problem(line, TITLES.get(key, key), NUL_MESSAGE))
    for key, limit in LIMITS.items():
        if len(values.get(key, "")) > limit:
            problems.append(problem(line, TITLES[key], f"最多 {limit} 个字"))
    if row.problems and any(p["column"] == TITLES["id_number"] for p in row.problems):
        return None, problems
    raw = values.get("id_number", "")
    if not raw:
        problems.append(problem(line, TITLES["id_number"], "身份证号码不能为空"))
        return None, problems
    number, reason = id_number_problem(raw, today)
    if reason:
        problems.append(problem(line, TITLES["id_number"], reason))
        return None, problems
    if number in seen:
        problems.append(problem(line, TITLES["id_number"], f"与第 {seen[number]} 行的身份证号码重复"))
        return None, problems
    seen[number] = line
    gender = values.get("gender", "")
    if gender:
        code = GENDERS.get(gender)
        if code is None:
            problems.append(problem(line, TITLES["gender"], "性别应填“男”或“女”"))
        elif code != gender_of(number):
            expected = GENDER_LABELS[gender_of(number)]
            problems.append(problem(line, TITLES["gender"], f"与身份证号码不符（应为{expected}）"))
    return number, problems


def _known_trainees(numbers: list[str]) -> dict[str, Trainee]:
    found: dict[str, Trainee] = {}
    for start in range(0, len(numbers), CHUNK):
        chunk = numbers[start : start + CHUNK]
        for trainee in db.session.scalars(db.select(Trainee).where(Trainee.id_number.in_(chunk))):
            found[trainee.id_number] = trainee
    return found


def import_enrollments(actor, course: Course, data: bytes, *, filename: str = "", now: datetime) -> ImportResult:
    """Enrol every row of the file or nobody. Refuses `import_invalid` (with every bad row),
    `course_full` when the new rows do not fit the capacity, `course_finalized`."""
    if course.finalized:
        raise DomainError("course_finalized")
    rows = read_enrollment_file(data, filename)
    today = local_date(now)
    seen: dict[str, int] = {}
    problems: list[dict] = []
    numbered: list[tuple[EnrollmentRow, str]] = []
    for row in rows:
        number, found = _check_row(row, today, seen)
        problems.extend(found)
        if number is not None:
            numbered.append((row, number))
    lock_course(course)
    known = _known_trainees([number for _row, number in numbered])
    for row, number in numbered:
        trainee = known.get(number)
        if trainee is not None and trainee.name != row.values.get("name") and row.values.get("name"):
            problems.append(problem(row.line, TITLES["name"], "姓名与该身份证号码已登记的姓名不一致"))
    if problems:
        raise invalid(sorted(problems, key=lambda p: p["row"]))
    return _store(actor, course, numbered, known, filename=filename, now=now)


def _store(actor, course, numbered, known, *, filename: str, now: datetime) -> ImportResult:
    on_list = set(db.session.scalars(db.select(Enrollment.trainee_id).where(Enrollment.course_id == course.id)))
    new_trainees, to_enroll, skipped = [], [], 0
    for row, number in numbered:
        trainee = known.get(number)
        if trainee is None:
            trainee = _trainee_from(row, number, course, now)
            new_trainees.append(trainee)
        elif trainee.id in on_list:
            skipped += 1
            continue
        to_enroll.append(trainee)
    check_room(course, adding=len(to_enroll))
    try:
        with db.session.begin_nested():
            db.session.add_all(new_trainees)
            db.session.flush()
            db.session.add_all(
                Enrollment(
                    course_id=course.id,
                    trainee_id=t.id,
                    source="import",
                    enrolled_by_id=getattr(actor, "id", None),
                    created_at=now,
                )
                for t in to_enroll
            )
            db.session.flush()
    except IntegrityError:  # someone registered or enrolled one of these people meanwhile
        raise DomainError("import_conflict") from None
    audit(
        actor,
        "enrollment.imported",
        course,
        now=now,
        after={
            "file": filename,
            "imported": len(to_enroll),
            "already_enrolled": skipped,
            "created_trainee_ids": [t.id for t in new_trainees],
            "enrolled_trainee_ids": [t.id for t in to_enroll],
        },
        base_id=course.base_id,
        bureau_id=course.base.bureau_id,
    )
    return ImportResult(imported=len(to_enroll), created_trainees=len(new_trainees), already_enrolled=skipped)


def _trainee_from(row: EnrollmentRow, number: str, course: Course, now: datetime) -> Trainee:
    values = row.values
    return Trainee(
        id_number=number,
        name=values["name"],
        gender=gender_of(number),
        birth_date=birth_date_of(number),
        phone=values.get("phone", ""),
        employer=values.get("employer", ""),
        series=values.get("series", ""),
        title=values.get("title", ""),
        bureau_id=course.base.bureau_id,
        created_at=now,
    )
