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

Set-based (issue 11): a chunk reads its trainees, attendance and finalized days as plain rows
(`pending`, `attendance.trainee_credits`) and writes each table's rows at once with their links in
place (`core.bulk.insert_rows`: COPY on PostgreSQL), no model object per row; bench/certificates.md
has the figures and where the time goes.
"""

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func

from basesys.accounts.models import Trainee
from basesys.attendance.engine import CourseCredit
from basesys.attendance.models import CreditedDay
from basesys.attendance.services import course_attendance, course_policy, trainee_credits
from basesys.certificates.models import Certificate, CourseResult, LedgerEntry, LedgerStatus
from basesys.certificates.services import trend_figures
from basesys.certificates.services.issue import (
    CertificateIssue,
    allocate_sequences,
    build_certificate,
    printing_problem,
)
from basesys.certificates.services.pending import trainees_without_result
from basesys.certificates.signing import current_signer, record_signing_key
from basesys.core.audit import audit, audit_many
from basesys.core.bulk import insert_rows, plan_each_execution
from basesys.core.errors import DomainError
from basesys.courses import month_figures
from basesys.courses.models import Course, FilingStatus
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


CHUNK_SIZE = 250  # trainees per chunk: SQLite's write lock is held for ≈ 0.1–0.3 s at a time


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
    plan_each_execution()
    if course.finalized_at is None:
        check_finalizable(course, now=now)
        trainees = trainees_without_result(course, size)
        if trainees:
            ledger = _finalize_trainees(course, actor, now, trainees)
            trend_figures.count_chunk(course, ledger, now=now)  # the trends' month figures
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
    course_id = db.inspect(course).identity[0]  # not `course.id`: an expired course would be read twice
    return db.session.execute(
        db.select(Course).where(Course.id == course_id).with_for_update().execution_options(populate_existing=True)
    ).scalar_one()


def _finalize_trainees(course: Course, actor, now: datetime, trainees: list) -> list[dict]:
    """Results, finalized days, certificates and ledger entries of trainees without a result yet,
    each row written with its links in place (the certificates first, for their ids), as plain rows
    (`core.bulk.insert_rows`): no model object per row, no one-row UPDATE linking them afterwards.
    Returns the ledger entries written (the trends count them)."""
    credits, days_done = trainee_credits(course, course_policy(course), [t.id for t in trainees])
    completers = [t for t in trainees if is_completer(credits[t.id])]
    problems = {t.id: printing_problem(t.name, course) or "" for t in completers}
    printable = [(t, credits[t.id].credited_hours) for t in completers if not problems[t.id]]
    days = [
        {"trainee_id": t.id, "local_date": day.local_date, "course_id": course.id, "hours": day.credited_hours}
        for t in trainees
        for day in credits[t.id].days
        if (t.id, day.local_date) not in days_done
    ]
    certificates = _new_certificates(course, now, printable, meanwhile=lambda: insert_rows(CreditedDay.__table__, days))
    results, ledger = [], []
    year = course_year(course)
    for trainee in trainees:
        certificate = certificates.get(trainee.id)
        _add_rows(results, ledger, course, now, year, trainee.id, credits[trainee.id], certificate, problems)
    insert_rows(CourseResult.__table__, results)
    insert_rows(LedgerEntry.__table__, ledger)
    _audit_issued(course, actor, now, certificates)
    return ledger


def _add_rows(results, ledger, course: Course, now, year: int, trainee_id: int, credit, certificate, problems) -> None:
    """One trainee's result and (a completer's) ledger entry, linked to `certificate`."""
    completed = trainee_id in problems
    certificate_id = certificate.id if certificate else None
    results.append(
        {
            "course_id": course.id,
            "trainee_id": trainee_id,
            "credited_hours": credit.credited_hours,
            "capped_hours": credit.capped_hours,
            "completed": completed,
            "explanation": credit.explanation,
            "certificate_id": certificate_id,
            "certificate_problem": problems.get(trainee_id, ""),
            "created_at": now,
        }
    )
    if completed:
        ledger.append(
            {
                "trainee_id": trainee_id,
                "course_id": course.id,
                "year": year,
                "category": course.category,
                "hours": credit.credited_hours,
                "status": LedgerStatus.ISSUED,
                "certificate_id": certificate_id,
                "issued_at": now,
            }
        )


@dataclass(frozen=True)
class Issued:
    """A certificate just written, as its audit record describes it (certificates.audit_texts:
    number, holder, course, the holder's ID number) without loading the row as a model object."""

    id: int
    number: str
    holder_name: str
    hours: float
    course: Course
    trainee: object  # the chunk's row of the holder: id, name, id_number


def _new_certificates(course: Course, now: datetime, holders: list[tuple], *, meanwhile=None) -> dict[int, Issued]:
    """Signed certificates of these (trainee row, hours), numbered in one block and written in one
    go; then one SELECT for their ids (no RETURNING: SQLite answers it one row at a time).

    The numbers are taken first; the payloads and Ed25519 signatures (≈ 0.1 ms each, pure Python and
    `cryptography`, nothing of the session) are then computed in a worker thread while `meanwhile`
    runs — the chunk's other writes, which keep the database busy (and Python waiting on it, with the
    interpreter lock released) for as long."""
    if not holders:
        if meanwhile is not None:
            meanwhile()
        return {}
    signer = current_signer()
    record_signing_key(signer, now)
    year = course_year(course)
    first = allocate_sequences(course.base_id, year, len(holders))
    issue = CertificateIssue(course, year=year, signer=signer, now=now)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="sign") as worker:
        signing = worker.submit(lambda: [issue.values(t, hours, first + i) for i, (t, hours) in enumerate(holders)])
        if meanwhile is not None:
            meanwhile()
        values = signing.result()
    insert_rows(Certificate.__table__, values)
    written = db.select(Certificate.trainee_id, Certificate.id, Certificate.hours).where(
        Certificate.base_id == course.base_id,
        Certificate.year == year,
        Certificate.sequence.between(first, first + len(holders) - 1),
    )
    ids = {trainee_id: (certificate_id, hours) for trainee_id, certificate_id, hours in db.session.execute(written)}
    return {
        trainee.id: Issued(ids[trainee.id][0], row["number"], trainee.name, ids[trainee.id][1], course, trainee)
        for (trainee, _hours), row in zip(holders, values, strict=True)
    }


def _audit_issued(course: Course, actor, now: datetime, certificates: dict) -> None:
    """One `certificate.issue` record per certificate (an `Issued` or a Certificate), written together."""
    audit_many(
        actor,
        "certificate.issue",
        [(c, {"number": c.number, "trainee_id": t, "hours": c.hours}) for t, c in certificates.items()],
        now=now,
        object_type="certificate",
        base_id=course.base_id,
        bureau_id=course.base.bureau_id,
    )


def _write_ledger_entries(course: Course, now: datetime) -> None:
    """One `issued` 学时银行 entry per completer lacking one (§8): what a run cut short left out."""
    query = (
        db.select(CourseResult)
        .outerjoin(
            LedgerEntry,
            (LedgerEntry.course_id == CourseResult.course_id) & (LedgerEntry.trainee_id == CourseResult.trainee_id),
        )
        .where(CourseResult.course_id == course.id, CourseResult.completed.is_(True), LedgerEntry.id.is_(None))
    )
    year = course_year(course)
    results = db.session.scalars(query).all()
    month_figures.add(course.base_id, now, hours_issued=sum(result.credited_hours for result in results))
    for result in results:
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
    """Completers lacking a certificate whose names can be printed now; the others get the reason
    on their result (shown to the admin) and keep their hours."""
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
    printable = []
    for result, trainee in db.session.execute(query).all():
        problem = printing_problem(trainee.name, course) or ""
        if result.certificate_problem != problem:
            result.certificate_problem = problem
        if not problem:
            printable.append((result, trainee))
    return printable


def _issue_certificates(course: Course, actor, now: datetime, *, limit: int) -> bool:
    """A signed certificate for each printable completer lacking one (at most `limit`: those whose
    names could not be printed before), numbered in the course's year; True if some are left."""
    printable = _printable_results(course)
    left, printable = len(printable) > limit, printable[:limit]
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
    month_figures.add(course.base_id, now, trainee_times=len(issued))  # the trends' 培训人次
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
    _audit_issued(course, actor, now, {result.trainee_id: certificate for result, certificate in issued})


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
