"""Staff scan and offline check-in (扫学员码, DOMAIN.md §6): a batch of the scanner's scans.

Each scan names a trainee by their personal check-in code or a typed ID number and is decided by
the trainee's scan rules (services/scan.py `scan_for_staff`) at the scan's time on the server's
clock: scanned_at + (now − sent_at), the device's clock corrected by the offset at sending.

Rules this module adds (decided where the issue is silent; the numbers are policy):
- a scan whose corrected time is more than `offline_scan_max_hours` before now is refused
  (`scan_too_old`); a corrected time after now (the device's clock went back between the scan and
  the send) is taken as now;
- a scan that reaches the server more than `offline_scan_after_minutes` after its corrected time
  waited on the device: it is recorded `via: offline`, otherwise `via: staff`;
- each client id is accepted once, whatever the session: its row in `staff_scan` is claimed
  (INSERT … ON CONFLICT DO NOTHING, in client-id order) before the scan is carried out, so a
  resend — even two sends at once — answers the first result (`replayed`) and writes nothing
  more. A client id first sent for another session answers `client_id_reused`, not that result
  (another session may be another base's);
- scans are carried out trainee by trainee (stable: one trainee's scans keep their order), so two
  batches touching the same trainees lock their attendance rows in the same order.
Every scan that changed an attendance row is audited as one sentence (who, which trainee, which
session, staff or offline, the device's time); refusals change nothing and are answered.
"""

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy.dialects import postgresql, sqlite

from basesys.accounts.models import Trainee
from basesys.attendance import personal_codes
from basesys.attendance.models import Purpose, StaffScan, StaffScanResult, Via
from basesys.attendance.services.checkin_code import trainee_of_code
from basesys.attendance.services.issue import secret
from basesys.attendance.services.scan import scan_for_staff
from basesys.attendance.services.situation import read_situation
from basesys.core.audit import audit_many
from basesys.core.bulk import one_of
from basesys.core.errors import DomainError
from basesys.core.ids import id_number_problem, normalize_code
from basesys.core.policy import Policy
from basesys.core.time import iso, local_today
from basesys.courses.models import CourseSession
from basesys.extensions import db

MAX_SCANS = 500  # API.md: at most 500 scans a call


@dataclass(frozen=True)
class StaffScanInput:
    client_id: str  # a UUID as text, lower case
    purpose: str
    scanned_at: datetime
    code: str | None = None
    id_number: str | None = None


@dataclass(frozen=True)
class StaffScanAnswer:
    client_id: str
    result: str
    at: datetime
    trainee_id: int | None = None
    error_code: str | None = None
    error_message: str | None = None
    replayed: bool = False
    via: Via | None = None  # how a fresh scan was recorded (staff / offline)
    attendance_id: int | None = None


def record_staff_scans(
    actor,
    course_session: CourseSession,
    *,
    sent_at: datetime,
    scans: list[StaffScanInput],
    now: datetime,
    policy: Policy,
) -> list[StaffScanAnswer]:
    """Carry out the scanner's batch; one answer per scan, in order (see the module's rules).

    Per scan, refuses checkin_code_invalid, checkin_code_expired, invalid_id_number, scan_too_old,
    client_id_reused and the trainee's scan refusals (course_not_approved, course_finalized,
    not_enrolled, outside_window) as `refused` answers; the batch itself is never refused here.
    """
    if len(scans) > MAX_SCANS:
        raise ValueError(f"at most {MAX_SCANS} scans a call")  # the schema refuses it first (422)
    offset = now - sent_at
    firsts: dict[str, int] = {}
    for index, item in enumerate(scans):
        firsts.setdefault(item.client_id, index)
    claimed = _claim(actor, course_session, scans, firsts, sent_at=sent_at, offset=offset, now=now)
    stored = _stored(set(firsts) - claimed)
    trainees = _trainees(scans)
    fresh: dict[int, StaffScanAnswer] = {}
    todo = [i for c, i in firsts.items() if c in claimed]
    order = sorted(todo, key=lambda i: (trainees[i].id if isinstance(trainees[i], Trainee) else 0, i))
    changed = []
    for index in order:
        answer = _carry_out(course_session, scans[index], trainees[index], offset, now, policy)
        fresh[index] = answer
        if answer.result in (StaffScanResult.CHECKED_IN, StaffScanResult.CHECKED_OUT):
            changed.append((scans[index], answer, trainees[index]))
    _fill_claims(list(fresh.values()))
    _audit(actor, course_session, changed, now)
    answers = []
    for index, item in enumerate(scans):
        first = firsts[item.client_id]
        if first != index:  # the same client id earlier in this batch
            answers.append(replace(fresh.get(first) or _replay(stored[item.client_id], course_session), replayed=True))
        elif index in fresh:
            answers.append(fresh[index])
        else:
            answers.append(_replay(stored[item.client_id], course_session))
    return answers


def corrected_time(scanned_at: datetime, offset: timedelta, now: datetime) -> datetime:
    """The scan's time on the server's clock: the device's time plus the offset at sending, at most now."""
    return min(scanned_at + offset, now)


_CLAIMS: dict[str, object] = {}


def _claim_statement(dialect: str):
    if dialect not in _CLAIMS:
        table = StaffScan.__table__
        insert = (postgresql if dialect == "postgresql" else sqlite).insert(table)
        _CLAIMS[dialect] = insert.on_conflict_do_nothing(index_elements=["client_id"]).returning(table.c.client_id)
    return _CLAIMS[dialect]


def _claim(actor, course_session, scans, firsts, *, sent_at, offset, now) -> set[str]:
    """Insert a row per new client id (in client-id order, so concurrent batches wait on each other
    rather than deadlock); the client ids this transaction now owns. A client id another transaction
    is inserting waits for it to finish (PostgreSQL's unique index), then is not ours."""
    rows = []
    for client_id in sorted(firsts):
        item = scans[firsts[client_id]]
        at = corrected_time(item.scanned_at, offset, now)
        rows.append(
            {
                "client_id": client_id,
                "session_id": course_session.id,
                "actor_id": getattr(actor, "id", None),
                "purpose": item.purpose,
                "method": "code" if item.code else "id_number",
                "scanned_at": item.scanned_at,
                "sent_at": sent_at,
                "received_at": now,
                "corrected_at": at,
                "offline": False,
                "result": StaffScanResult.REFUSED,  # filled in by _fill_claims in this transaction
                "at": at,
            }
        )
    if not rows:
        return set()
    statement = _claim_statement(db.session.get_bind().dialect.name)
    return set(db.session.connection().execute(statement.values(rows)).scalars())


def _stored(client_ids: set[str]) -> dict[str, StaffScan]:
    if not client_ids:
        return {}
    query = db.select(StaffScan).where(one_of(StaffScan.client_id, sorted(client_ids)))
    return {row.client_id: row for row in db.session.scalars(query.execution_options(populate_existing=True))}


def _replay(row: StaffScan, course_session: CourseSession) -> StaffScanAnswer:
    if row.session_id != course_session.id:
        error = DomainError("client_id_reused")
        return StaffScanAnswer(
            row.client_id, StaffScanResult.REFUSED, row.received_at, None, error.code, error.message, True
        )
    return StaffScanAnswer(
        row.client_id, row.result, row.at, row.trainee_id, row.error_code, row.error_message, replayed=True
    )


def _trainees(scans: list[StaffScanInput]) -> list[Trainee | DomainError]:
    """Each scan's trainee, or why none: every trainee read in one query."""
    wanted: list[int | str | DomainError] = []
    today = None
    for item in scans:
        if item.code:
            try:
                wanted.append(personal_codes.parse_code(secret(), item.code).trainee_id)
            except personal_codes.BadCode:
                wanted.append(DomainError("checkin_code_invalid"))
        else:
            number = normalize_code(item.id_number)
            today = today or local_today(item.scanned_at)
            _number, problem = id_number_problem(number, today)
            wanted.append(DomainError("invalid_id_number") if problem else number)
    ids = {w for w in wanted if isinstance(w, int)}
    numbers = {w for w in wanted if isinstance(w, str)}
    found: dict = {}
    if ids:
        found.update((t.id, t) for t in db.session.scalars(db.select(Trainee).where(one_of(Trainee.id, sorted(ids)))))
    if numbers:
        query = db.select(Trainee).where(one_of(Trainee.id_number, sorted(numbers)))
        found.update((t.id_number, t) for t in db.session.scalars(query))
    return [w if isinstance(w, DomainError) else found.get(w, DomainError("not_enrolled")) for w in wanted]


def _carry_out(course_session, item: StaffScanInput, trainee, offset, now, policy) -> StaffScanAnswer:
    at = corrected_time(item.scanned_at, offset, now)
    via = Via.OFFLINE if now - at > timedelta(minutes=policy.offline_scan_after_minutes) else Via.STAFF
    trainee_id = trainee.id if isinstance(trainee, Trainee) else None
    try:
        if isinstance(trainee, DomainError):
            raise trainee
        if item.code:
            trainee_of_code(item.code, now=at)  # expired, or renewed since (the trainee is known)
        if now - at > timedelta(hours=policy.offline_scan_max_hours):
            raise DomainError("scan_too_old")
        situation = read_situation(course_session.id, trainee, None)
        result = scan_for_staff(situation, item.purpose, at=at, via=via, now=now)
    except DomainError as error:
        refused = StaffScanResult.REFUSED
        return StaffScanAnswer(item.client_id, refused, at, trainee_id, error.code, error.message, via=via)
    answer = StaffScanResult(str(result.result))
    return StaffScanAnswer(item.client_id, answer, result.at, trainee_id, via=via, attendance_id=result.attendance_id)


def _fill_claims(answers: list[StaffScanAnswer]) -> None:
    if not answers:
        return
    table = StaffScan.__table__
    statement = (
        table.update()
        .where(table.c.client_id == db.bindparam("b_client_id"))
        .values(
            result=db.bindparam("b_result"),
            at=db.bindparam("b_at"),
            trainee_id=db.bindparam("b_trainee_id"),
            error_code=db.bindparam("b_error_code"),
            error_message=db.bindparam("b_error_message"),
            offline=db.bindparam("b_offline"),
        )
    )
    rows = [
        {
            "b_client_id": a.client_id,
            "b_result": str(a.result),
            "b_at": a.at,
            "b_trainee_id": a.trainee_id,
            "b_error_code": a.error_code,
            "b_error_message": a.error_message,
            "b_offline": a.via == Via.OFFLINE,
        }
        for a in answers
    ]
    db.session.connection().execute(statement, rows)


@dataclass(frozen=True)
class _Recorded:
    """What the audit log's attendance subject reads (attendance/audit_texts.py), without loading the row."""

    id: int
    course_session: CourseSession
    trainee: Trainee


def _audit(actor, course_session: CourseSession, changed, now: datetime) -> None:
    course = course_session.course
    for purpose in (Purpose.IN, Purpose.OUT):
        field = "check_in" if purpose == Purpose.IN else "check_out"
        items = [
            (
                _Recorded(answer.attendance_id, course_session, trainee),
                {field: iso(answer.at), "via": str(answer.via), "device_time": iso(item.scanned_at)},
            )
            for item, answer, trainee in changed
            if item.purpose == purpose
        ]
        audit_many(
            actor,
            f"attendance.staff_{field}",
            items,
            now=now,
            object_type="attendance",
            base_id=course.base_id,
            bureau_id=course.base.bureau_id,
        )
