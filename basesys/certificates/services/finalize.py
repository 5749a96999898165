"""Finalisation (结业, DOMAIN.md §8): results for every enrolled trainee, finalized hours per day,
ledger entries and signed certificates for the completers — once.

In chunks (`finalize_chunk`: `CHUNK_SIZE` trainees each), so that a caller committing between
chunks (`certificates.jobs.finalize_in_chunks`) holds SQLite's single write lock for one chunk at a
time and scans, logins and edits commit in between. Idempotent and crash-safe: every row is unique
per (course, trainee) (per date for CreditedDay), each chunk only adds what is missing, a trainee
is done whole in one chunk, and `Course.finalized_at` is set last. Every chunk locks the course row
first (FOR UPDATE; SQLite writers are serialized by BEGIN IMMEDIATE), so the admin's button and the
scheduler finalising the same course at the same moment interleave chunks and never issue twice.
While a course is being finalised (some results, no `finalized_at`) it is "finalising": scans are
refused by their windows anyway (the course has ended), and a manual attendance edit made meanwhile
counts only for the trainees whose chunk is not written yet (as before it counted only if it came
before the one finalising transaction).
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
from basesys.courses.models import Course, CourseSession, Enrollment, FilingStatus
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


CHUNK_SIZE = 100  # trainees per chunk: SQLite's write lock is held for ≈ 0.1–0.6 s at a time


def finalize_course(actor, course: Course, *, now: datetime) -> dict:
    """Finalise a course (or finish an interrupted finalisation) in the caller's transaction (flush
    only): every chunk of `finalize_chunk` in a row; returns its totals. Callers that may commit
    between chunks (the page, the API, the scheduler) use `certificates.jobs.finalize_in_chunks`.

    Refuses `course_not_approved` and `course_not_ended`; a finalised course answers its totals and
    issues nothing new (except certificates stopped earlier that can now be printed).
    """
    while not finalize_chunk(actor, course, now=now):
        pass
    return course_totals(course).as_dict()


def finalize_chunk(actor, course: Course, *, now: datetime, size: int | None = None) -> bool:
    """One bounded step of finalisation (flush only); True once the course is finalised and done.

    Locks the course row, then: results, finalized days, ledger entries and certificates for the
    next `size` enrolled trainees lacking a result — all of a trainee in one chunk, so a crash
    between two committed chunks leaves whole trainees done and the rest untouched. When no trainee
    lacks a result: ledger entries still missing, certificates that can now be printed (`size` at a
    time), and last `Course.finalized_at` with the `course.finalize` audit record.
    """
    size = size or CHUNK_SIZE
    course = _lock_course(course)
    if course.finalized_at is None:
        check_finalizable(course, now=now)
        trainee_ids = _trainees_without_result(course, size)
        if trainee_ids:
            _write_results(course, now, trainee_ids)
            _write_ledger_entries(course, now, trainee_ids)
            _issue_certificates(course, actor, now, trainee_ids=trainee_ids)
            db.session.flush()
            return False
    _write_ledger_entries(course, now)
    if _issue_certificates(course, actor, now, limit=size):
        db.session.flush()
        return False
    if course.finalized_at is None:
        course.finalized_at = now
        audit(
            actor,
            "course.finalize",
            course,
            now=now,
            after=course_totals(course).as_dict(),
            base_id=course.base_id,
            bureau_id=course.base.bureau_id,
        )
    db.session.flush()
    return True


def _lock_course(course: Course) -> Course:
    return db.session.execute(
        db.select(Course).where(Course.id == course.id).with_for_update().execution_options(populate_existing=True)
    ).scalar_one()


def _trainees_without_result(course: Course, size: int) -> list[int]:
    """The next `size` enrolled trainees (by name, as the results list them) without a result."""
    return list(
        db.session.scalars(
            db.select(Trainee.id)
            .join(Enrollment, (Enrollment.trainee_id == Trainee.id) & (Enrollment.course_id == course.id))
            .outerjoin(CourseResult, (CourseResult.trainee_id == Trainee.id) & (CourseResult.course_id == course.id))
            .where(CourseResult.id.is_(None))
            .order_by(Trainee.name, Trainee.id)
            .limit(size)
        )
    )


def _write_results(course: Course, now: datetime, trainee_ids: list[int] | None = None) -> None:
    """A CourseResult for every enrolled trainee (of `trainee_ids`) lacking one, and that trainee's
    finalized hours per date (credited after the cap, completer or not: §7 caps credited hours
    across all courses)."""
    mine = CourseResult.course_id == course.id
    if trainee_ids is not None:
        mine = mine & CourseResult.trainee_id.in_(trainee_ids)
    done = set(db.session.scalars(db.select(CourseResult.trainee_id).where(mine)))
    days = CreditedDay.course_id == course.id
    if trainee_ids is not None:
        days = days & CreditedDay.trainee_id.in_(trainee_ids)
    days_done = set(db.session.execute(db.select(CreditedDay.trainee_id, CreditedDay.local_date).where(days)).all())
    for line in course_attendance(course, course_policy(course), trainee_ids):
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


def _write_ledger_entries(course: Course, now: datetime, trainee_ids: list[int] | None = None) -> None:
    """One `issued` 学时银行 entry per completer (of `trainee_ids`) lacking one (§8)."""
    query = (
        db.select(CourseResult)
        .outerjoin(
            LedgerEntry,
            (LedgerEntry.course_id == CourseResult.course_id) & (LedgerEntry.trainee_id == CourseResult.trainee_id),
        )
        .where(CourseResult.course_id == course.id, CourseResult.completed.is_(True), LedgerEntry.id.is_(None))
    )
    if trainee_ids is not None:
        query = query.where(CourseResult.trainee_id.in_(trainee_ids))
    year = course_year(course)
    for result in db.session.scalars(query).all():
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


def _printable_results(course: Course, trainee_ids: list[int] | None) -> list[tuple[CourseResult, Trainee]]:
    """Completers (of `trainee_ids`) lacking a certificate whose names can be printed; the others
    get the reason on their result (shown to the admin) and keep their hours."""
    query = (
        db.select(CourseResult, Trainee)
        .join(Trainee, Trainee.id == CourseResult.trainee_id)
        .where(
            CourseResult.course_id == course.id,
            CourseResult.completed.is_(True),
            CourseResult.certificate_id.is_(None),
        )
        .order_by(CourseResult.id)
    )
    if trainee_ids is not None:
        query = query.where(CourseResult.trainee_id.in_(trainee_ids))
    printable = []
    for result, trainee in db.session.execute(query).all():
        problem = printing_problem(trainee.name, course) or ""
        if result.certificate_problem != problem:
            result.certificate_problem = problem
        if not problem:
            printable.append((result, trainee))
    return printable


def _issue_certificates(
    course: Course, actor, now: datetime, *, trainee_ids: list[int] | None = None, limit: int | None = None
) -> bool:
    """A signed certificate for each printable completer (of `trainee_ids`, at most `limit`) lacking
    one, numbered in the course's year; True if printable ones are left for another chunk."""
    printable = _printable_results(course, trainee_ids)
    left = limit is not None and len(printable) > limit
    printable = printable[:limit] if limit is not None else printable
    if not printable:
        return False
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
    _link_and_audit(course, actor, now, issued)
    return left


def _link_and_audit(course: Course, actor, now: datetime, issued: list[tuple[CourseResult, Certificate]]) -> None:
    ledger = {
        entry.trainee_id: entry
        for entry in db.session.scalars(
            db.select(LedgerEntry).where(
                LedgerEntry.course_id == course.id, LedgerEntry.trainee_id.in_([r.trainee_id for r, _c in issued])
            )
        )
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
