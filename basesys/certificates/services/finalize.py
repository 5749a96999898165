"""Finalisation (结业, DOMAIN.md §8): results for every enrolled trainee, finalized hours per day,
ledger entries and signed certificates for the completers — once.

Idempotent and crash-safe: every row is unique per (course, trainee) (per date for CreditedDay),
each step only adds what is missing, and `Course.finalized_at` is set last. The course row is
locked first (FOR UPDATE; SQLite writers are serialized by BEGIN IMMEDIATE), so the admin's button
and the scheduler finalising the same course at the same moment run one after the other.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func

from basesys.accounts.models import Trainee
from basesys.attendance.engine import CourseCredit
from basesys.attendance.models import CreditedDay
from basesys.attendance.services import course_attendance, course_policy
from basesys.certificates.models import Certificate, CourseResult, LedgerEntry, LedgerStatus
from basesys.certificates.services.issue import allocate_sequences, build_certificate, printing_problem
from basesys.certificates.signing import current_signer, record_signing_key
from basesys.core.audit import audit
from basesys.core.errors import DomainError
from basesys.courses.models import Course, CourseSession, FilingStatus
from basesys.courses.year import course_year
from basesys.extensions import db


@dataclass(frozen=True)
class PreviewRow:
    trainee: Trainee
    credit: CourseCredit
    completed: bool
    problem: str | None  # why a completer's certificate could not be printed


@dataclass(frozen=True)
class Totals:
    completed: int
    not_completed: int
    certificates: int

    def as_dict(self) -> dict:
        return {"completed": self.completed, "not_completed": self.not_completed, "certificates": self.certificates}


def is_completer(credit: CourseCredit) -> bool:
    """结业 (§7) — and a certificate for zero hours would mean nothing."""
    return credit.completed and credit.credited_hours > 0


def has_ended(course: Course, *, now: datetime) -> bool:
    return bool(course.sessions) and now >= course.ends_at


def check_finalizable(course: Course, *, now: datetime) -> None:
    """Refuses `course_not_approved` ("no filing, no hours", §4) and `course_not_ended` (§8)."""
    if course.filing_status != FilingStatus.APPROVED:
        # The attendance feature registers this code for check-in; finalisation says it its own way.
        raise DomainError("course_not_approved", "该项目尚未通过人社部门备案，不能结业：未进行备案的，不进行学时认定。")
    if not has_ended(course, now=now):
        raise DomainError("course_not_ended")


def preview_course(course: Course) -> list[PreviewRow]:
    """Who would complete, with how many hours, and why not (the engine's explanations); writes nothing."""
    rows = []
    for line in course_attendance(course, course_policy(course)):
        completed = is_completer(line.credit)
        problem = printing_problem(line.trainee.name, course) if completed else None
        rows.append(PreviewRow(line.trainee, line.credit, completed, problem))
    return rows


def finalize_course(actor, course: Course, *, now: datetime) -> dict:
    """Finalise a course (or finish an interrupted finalisation); returns its totals.

    Refuses `course_not_approved` and `course_not_ended`; a finalised course answers its totals and
    issues nothing new (except certificates stopped earlier that can now be printed).
    """
    course = _lock_course(course)
    if course.finalized_at is None:
        check_finalizable(course, now=now)
        _write_results(course, now)
    _write_ledger_entries(course, now)
    _issue_certificates(course, actor, now)
    if course.finalized_at is None:
        course.finalized_at = now
        totals = course_totals(course)
        audit(
            actor,
            "course.finalize",
            course,
            now=now,
            after=totals.as_dict(),
            base_id=course.base_id,
            bureau_id=course.base.bureau_id,
        )
    db.session.flush()
    return course_totals(course).as_dict()


def _lock_course(course: Course) -> Course:
    return db.session.execute(
        db.select(Course).where(Course.id == course.id).with_for_update().execution_options(populate_existing=True)
    ).scalar_one()


def _write_results(course: Course, now: datetime) -> None:
    """A CourseResult for every enrolled trainee lacking one, and that trainee's finalized hours per
    date (credited after the cap, completer or not: §7 caps credited hours across all courses)."""
    done = set(db.session.scalars(db.select(CourseResult.trainee_id).where(CourseResult.course_id == course.id)))
    days_done = set(
        db.session.execute(
            db.select(CreditedDay.trainee_id, CreditedDay.local_date).where(CreditedDay.course_id == course.id)
        ).all()
    )
    for line in course_attendance(course, course_policy(course)):
        trainee, credit = line.trainee, line.credit
        if trainee.id not in done:
            db.session.add(
                CourseResult(
                    course_id=course.id,
                    trainee_id=trainee.id,
                    credited_hours=credit.credited_hours,
                    capped_hours=credit.capped_hours,
                    completed=is_completer(credit),
                    explanation=credit.explanation,
                    created_at=now,
                )
            )
        for day in credit.days:
            if (trainee.id, day.local_date) not in days_done:
                db.session.add(
                    CreditedDay(
                        trainee_id=trainee.id, local_date=day.local_date, course_id=course.id, hours=day.credited_hours
                    )
                )
    db.session.flush()


def _write_ledger_entries(course: Course, now: datetime) -> None:
    """One `issued` 学时银行 entry per completer lacking one (§8)."""
    missing = db.session.scalars(
        db.select(CourseResult)
        .outerjoin(
            LedgerEntry,
            (LedgerEntry.course_id == CourseResult.course_id) & (LedgerEntry.trainee_id == CourseResult.trainee_id),
        )
        .where(CourseResult.course_id == course.id, CourseResult.completed.is_(True), LedgerEntry.id.is_(None))
    ).all()
    year = course_year(course)
    for result in missing:
        db.session.add(
            LedgerEntry(
                trainee_id=result.trainee_id,
                course_id=course.id,
                year=year,
                category=course.category,
                hours=result.credited_hours,
                status=LedgerStatus.ISSUED,
                certificate_id=result.certificate_id,
                issued_at=now,
            )
        )
    db.session.flush()


def _printable_results(course: Course) -> list[tuple[CourseResult, Trainee]]:
    """Completers lacking a certificate whose names can be printed; the others get the reason on
    their result (shown to the admin) and keep their hours."""
    pending = db.session.execute(
        db.select(CourseResult, Trainee)
        .join(Trainee, Trainee.id == CourseResult.trainee_id)
        .where(
            CourseResult.course_id == course.id,
            CourseResult.completed.is_(True),
            CourseResult.certificate_id.is_(None),
        )
        .order_by(CourseResult.id)
    ).all()
    printable = []
    for result, trainee in pending:
        result.certificate_problem = printing_problem(trainee.name, course) or ""
        if not result.certificate_problem:
            printable.append((result, trainee))
    return printable


def _issue_certificates(course: Course, actor, now: datetime) -> None:
    """A signed certificate for each printable completer lacking one, numbered in the course's year."""
    printable = _printable_results(course)
    if not printable:
        return
    signer = current_signer()
    record_signing_key(signer, now)
    year = course_year(course)
    first = allocate_sequences(course.base_id, year, len(printable))
    issued = [
        (
            result,
            build_certificate(
                trainee=trainee,
                course=course,
                hours=result.credited_hours,
                year=year,
                sequence=first + offset,
                signer=signer,
                now=now,
            ),
        )
        for offset, (result, trainee) in enumerate(printable)
    ]
    db.session.flush()
    ledger = {
        entry.trainee_id: entry
        for entry in db.session.scalars(db.select(LedgerEntry).where(LedgerEntry.course_id == course.id))
    }
    for result, certificate in issued:
        result.certificate_id = certificate.id
        ledger[result.trainee_id].certificate_id = certificate.id
        audit(
            actor,
            "certificate.issue",
            certificate,
            now=now,
            after={"number": certificate.number, "trainee_id": result.trainee_id, "hours": certificate.hours},
            base_id=course.base_id,
            bureau_id=course.base.bureau_id,
        )


def course_totals(course: Course) -> Totals:
    rows = dict(
        db.session.execute(
            db.select(CourseResult.completed, func.count())
            .where(CourseResult.course_id == course.id)
            .group_by(CourseResult.completed)
        ).all()
    )
    certificates = db.session.scalar(
        db.select(func.count()).select_from(Certificate).where(Certificate.course_id == course.id)
    )
    return Totals(rows.get(True, 0), rows.get(False, 0), certificates or 0)


def recognize_course_entries(actor, course: Course, *, now: datetime) -> int:
    """The bureau accepted the roster (§9): the course's `issued` entries become `recognized`.

    Void entries stay void; running it again changes nothing. Returns how many changed.
    """
    entries = db.session.scalars(
        db.select(LedgerEntry).where(LedgerEntry.course_id == course.id, LedgerEntry.status == LedgerStatus.ISSUED)
    ).all()
    for entry in entries:
        entry.status, entry.recognized_at = LedgerStatus.RECOGNIZED, now
    if entries:
        audit(
            actor,
            "ledger.recognize",
            course,
            now=now,
            after={"recognized": len(entries)},
            base_id=course.base_id,
            bureau_id=course.base.bureau_id,
        )
    db.session.flush()
    return len(entries)


def courses_due_to_finalize(*, now: datetime) -> list[Course]:
    """Approved, unfinalised courses whose last session ended at least the policy's delay ago (§8)."""
    last_end = (
        db.select(CourseSession.course_id, func.max(CourseSession.ends_at).label("ends_at"))
        .group_by(CourseSession.course_id)
        .subquery()
    )
    candidates = db.session.scalars(
        db.select(Course)
        .join(last_end, last_end.c.course_id == Course.id)
        .where(Course.filing_status == FilingStatus.APPROVED, Course.finalized_at.is_(None), last_end.c.ends_at <= now)
        .order_by(Course.id)
    ).all()
    return [c for c in candidates if now >= c.ends_at + timedelta(hours=course_policy(c).finalize_delay_hours)]


def courses_ready_to_finalize(base_id: int, *, now: datetime) -> list[Course]:
    """A base's approved courses that have ended and are not finalised yet (the admin's home panel)."""
    courses = db.session.scalars(
        db.select(Course)
        .where(Course.base_id == base_id, Course.filing_status == FilingStatus.APPROVED, Course.finalized_at.is_(None))
        .order_by(Course.id)
    ).all()
    return [c for c in courses if has_ended(c, now=now)]
