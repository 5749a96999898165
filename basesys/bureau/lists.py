"""The bureau's lists (courses, certificates), filtered and scoped (DOMAIN.md §1); the audit log is
bureau.audit_log."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func

from basesys.accounts.models import Base, Trainee
from basesys.accounts.scope import base_scope, in_base_scope
from basesys.certificates.models import Certificate, CertificateStatus
from basesys.core.audit import prefix_end
from basesys.core.ids import normalize_code
from basesys.core.paging import few_keys, first_rows_per_key
from basesys.core.time import local_date, local_midnight
from basesys.courses.models import Course, Enrollment, FilingStatus
from basesys.extensions import db
from basesys.rosters.models import Roster
from basesys.rosters.queries import status_expression


@dataclass
class Filters:
    base_id: int | None = None
    start: date | None = None
    end: date | None = None
    status: str | None = None
    q: str = ""


# Counting every match of a province (millions of certificates) took seconds: a list counts up to
# COUNT_CAP and says "more than" beyond it; pages stop there (a search narrows a longer list).
COUNT_CAP = 10_000


@dataclass
class Page:
    items: list
    total: int
    page: int
    size: int
    capped: bool = False


def _paged_by(fetch, matches, page: int, size: int) -> Page:
    """`matches`: a SELECT of the matching ids (its WHERE is the list's), counted up to COUNT_CAP;
    `fetch(limit, offset)`: the page's rows."""
    counted = db.session.scalar(db.select(func.count()).select_from(matches.limit(COUNT_CAP + 1).subquery())) or 0
    page = max(1, min(page, (COUNT_CAP + size - 1) // size))
    items = fetch(size, (page - 1) * size)
    return Page(items, min(counted, COUNT_CAP), page, size, counted > COUNT_CAP)


def _paged(query, matches, page: int, size: int) -> Page:
    return _paged_by(
        lambda limit, offset: db.session.execute(query.limit(limit).offset(offset)).all(), matches, page, size
    )


def _bases(user, column):
    return in_base_scope(user, column)


def _day_start(day: date) -> datetime:
    return local_midnight(day)


def _day_after(day: date) -> datetime:
    return local_midnight(day + timedelta(days=1))


# Statuses the bureau lists: drafts are the base's own business until filed.
COURSE_STATUSES = (FilingStatus.SUBMITTED, FilingStatus.APPROVED, FilingStatus.RETURNED)


def courses(user, now: datetime, filters: Filters, page: int = 1, size: int = 50) -> Page:
    """Filed courses in scope with dates, headcount and roster status; dates filter on the course's
    first session (a local date from start to end). Sorted by the stored first start (indexed); the
    enrolment counts are grouped for the page's courses only."""
    conditions = [_bases(user, Course.base_id), Course.filing_status.in_(COURSE_STATUSES)]
    if filters.base_id:
        conditions.append(Course.base_id == filters.base_id)
    if filters.status in COURSE_STATUSES:
        conditions.append(Course.filing_status == filters.status)
    if filters.start:
        conditions.append(Course.first_starts_at >= _day_start(filters.start))
    if filters.end:
        conditions.append(Course.first_starts_at < _day_after(filters.end))
    if filters.q:
        conditions.append(Course.search_text.contains(filters.q.strip().casefold(), autoescape=True))
    order = (Course.first_starts_at.desc(), Course.id.desc())

    def fetch(limit: int, offset: int) -> list:
        listed = db.select(Course.id).where(*conditions).order_by(*order).limit(limit).offset(offset).subquery()
        enrolled = (  # per row of the page only: `listed` is already cut to it
            db.select(func.count(Enrollment.id)).where(Enrollment.course_id == Course.id).scalar_subquery()
        )
        query = (
            db.select(
                Course,
                Base.name,
                Course.first_starts_at,
                Course.last_ends_at,
                enrolled,
                status_expression(local_date(now)).label("roster_status"),
            )
            .join(listed, listed.c.id == Course.id)
            .join(Base, Base.id == Course.base_id)
            .outerjoin(Roster, Roster.course_id == Course.id)
            .order_by(*order)
        )
        return db.session.execute(query).all()

    return _paged_by(fetch, db.select(Course.id).where(*conditions), page, size)


CERTIFICATE_STATUSES = tuple(CertificateStatus)


def _starts_with(column, prefix: str):
    """`column` starts with `prefix`, as a range an ordinary index serves (code-point order, the
    databases' C collation), whatever plan the statement gets."""
    return (column >= prefix) & (column < prefix_end(prefix))


def _certificate_search(q: str):
    """What was typed, told apart by its shape (so that each search is one indexed condition the
    planner estimates well): a full ID number finds the holder's certificates (certificate.trainee_id),
    a code of digits, letters and dashes a certificate number or its beginning (certificate.number),
    anything else a holder's name by its beginning, surname first (certificate.holder_name)."""
    code = normalize_code(q)
    if len(code) == 18 and code.isascii() and code[:17].isdigit():  # as core.ids.id_number_if_shaped
        holder = db.select(Trainee.id).where(Trainee.id_number == code).scalar_subquery()
        return Certificate.trainee_id == holder
    if code.isascii() and any(c.isdigit() for c in code) and all(c.isalnum() or c == "-" for c in code):
        return _starts_with(Certificate.number, code)
    return _starts_with(Certificate.holder_name, q)


def certificates(user, filters: Filters, page: int = 1, size: int = 50) -> Page:
    """Certificates of the bases in scope; `q` finds a number, a name, or a full ID number. Newest
    first; a scope of a few bases (a county) is read base by base (`core.paging.first_rows_per_key`)."""
    conditions = []
    if filters.status in CERTIFICATE_STATUSES:
        conditions.append(Certificate.status == filters.status)
    if filters.start:
        conditions.append(Certificate.issued_on >= filters.start)
    if filters.end:
        conditions.append(Certificate.issued_on <= filters.end)
    q = filters.q.strip()
    if q:
        conditions.append(_certificate_search(q))
    scoped = [_bases(user, Certificate.base_id)]
    if filters.base_id:
        scoped.append(Certificate.base_id == filters.base_id)
    order = (Certificate.issued_at.desc(), Certificate.id.desc())
    matches = db.select(Certificate.id).where(*scoped, *conditions)
    bases = None
    if not q and not filters.base_id and (scope := base_scope(user)) is not None:
        bases = few_keys(scope)

    def fetch(limit: int, offset: int) -> list:
        if bases is None:
            listed = matches.order_by(*order).limit(limit).offset(offset).subquery()
        else:
            newest = first_rows_per_key(
                (Certificate.id, Certificate.issued_at), Certificate.base_id, bases, tuple(conditions), order,
                limit + offset,
            )  # fmt: skip
            listed = (
                db.select(newest.c.id)
                .order_by(newest.c.issued_at.desc(), newest.c.id.desc())
                .limit(limit)
                .offset(offset)
                .subquery()
            )
        query = (
            db.select(Certificate, Trainee, Course.title, Base.name)
            .join(listed, listed.c.id == Certificate.id)
            .join(Trainee, Trainee.id == Certificate.trainee_id)
            .join(Course, Course.id == Certificate.course_id)
            .join(Base, Base.id == Certificate.base_id)
            .order_by(*order)
        )
        return db.session.execute(query).all()

    return _paged_by(fetch, matches, page, size)
