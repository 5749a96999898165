"""Reading certificates and hours: who may see which certificate, verification, "my hours" (§8, §10)."""

import hmac
import json
from dataclasses import dataclass, field

from sqlalchemy import func
from sqlalchemy.orm import contains_eager, joinedload

from basesys.accounts.models import Trainee, User
from basesys.accounts.scope import can_manage_base, can_supervise_base, trainee_of
from basesys.certificates.models import Certificate, CourseResult, LedgerEntry, LedgerStatus
from basesys.certificates.pdf import CertificatePage, StatementLine
from basesys.certificates.services.issue import normalize_check_code
from basesys.core.errors import DomainError, NotFound
from basesys.core.paging import Keyset, keyset_page
from basesys.core.policy import get_policy
from basesys.courses.models import Course
from basesys.extensions import db

CATEGORY_KEYS = ("public", "professional")


def find_certificate(number: str, code: str | None) -> Certificate | None:
    """The certificate with this number and check code; a wrong code is the same as no certificate."""
    certificate = db.session.scalar(db.select(Certificate).where(Certificate.number == (number or "").strip()))
    given = normalize_check_code(code)
    if certificate is None or not given:
        return None
    if not hmac.compare_digest(certificate.check_code.encode(), given.encode()):
        return None
    return certificate


def verification_details(certificate: Certificate) -> dict:
    """What the public verification adds to the certificate (issue 15): the training dates as
    signed, and whether its hours are recognised by the bureau (the ledger entry's status)."""
    signed = json.loads(certificate.payload)
    status = db.session.scalar(db.select(LedgerEntry.status).where(LedgerEntry.certificate_id == certificate.id))
    return {"starts_on": signed.get("starts_on"), "ends_on": signed.get("ends_on"), "hours_status": status}


def can_manage_certificate(user: User, certificate: Certificate) -> bool:
    """Its base or its supervising bureaus (and those above) may revoke it and download it."""
    return can_manage_base(user, certificate.base) or can_supervise_base(user, certificate.base)


def can_download_certificate(user: User, certificate: Certificate) -> bool:
    if user.role == "trainee":
        trainee = trainee_of(user)
        return trainee is not None and trainee.id == certificate.trainee_id
    return can_manage_certificate(user, certificate)


def get_certificate_for(user: User, number: str, *, manage: bool = False) -> Certificate:
    """The certificate the user may download (or, with `manage`, revoke); 404 otherwise, 403 for a
    trainee asking to manage."""
    certificate = db.session.scalar(db.select(Certificate).where(Certificate.number == (number or "").strip()))
    if certificate is None or not can_download_certificate(user, certificate):
        raise NotFound()
    if manage and not can_manage_certificate(user, certificate):
        raise DomainError("forbidden")
    return certificate


def certificates_of(trainee: Trainee) -> list[Certificate]:
    return list(
        db.session.scalars(
            db.select(Certificate)
            .options(joinedload(Certificate.course))  # its title on every line: one statement in all
            .where(Certificate.trainee_id == trainee.id)
            .order_by(Certificate.issued_at.desc(), Certificate.id.desc())
        )
    )


def course_results(course: Course) -> list[CourseResult]:
    """Every enrolled trainee's result, completers first, then by name (the admin's list)."""
    return list(
        db.session.scalars(
            db.select(CourseResult)
            .join(Trainee, Trainee.id == CourseResult.trainee_id)
            .where(CourseResult.course_id == course.id)
            .order_by(CourseResult.completed.desc(), Trainee.name, Trainee.id)
        )
    )


def _zero() -> dict:
    return {"public": 0.0, "professional": 0.0, "total": 0.0}


@dataclass
class HoursSummary:
    """A trainee's year (§10): the requirement, issued and recognized hours, and the entries."""

    year: int
    required: dict
    issued: dict = field(default_factory=_zero)
    recognized: dict = field(default_factory=_zero)
    entries: list[LedgerEntry] = field(default_factory=list)

    @property
    def progress(self) -> dict:
        """Issued + recognized against the requirement, per category and in total (percent, ≤ 100)."""
        out = {}
        for key in (*CATEGORY_KEYS, "total"):
            have = self.issued[key] + self.recognized[key]
            need = self.required[key]
            out[key] = {"have": have, "need": need, "percent": 100 if need <= 0 else min(100, round(100 * have / need))}
        return out

    @property
    def counted_entries(self) -> list[LedgerEntry]:
        return [e for e in self.entries if e.status in (LedgerStatus.ISSUED, LedgerStatus.RECOGNIZED)]


def _year_of(trainee: Trainee, year: int) -> HoursSummary:
    policy = get_policy(trainee.bureau_id, year)
    required = {
        "public": policy.required_public_hours,
        "professional": policy.required_professional_hours,
        "total": policy.required_total_hours,
    }
    return HoursSummary(year=year, required=required)


def _count(summary: HoursSummary, status: str, category: str, hours: float) -> None:
    bucket = summary.issued if status == LedgerStatus.ISSUED else summary.recognized
    bucket[category] = bucket.get(category, 0.0) + float(hours)
    bucket["total"] += float(hours)


def hours_summary(trainee: Trainee, year: int) -> HoursSummary:
    """`issued` counts entries awaiting the bureau's roster acceptance, `recognized` the accepted ones;
    void entries count for nothing. The requirement is the policy of the trainee's bureau and year."""
    summary = _year_of(trainee, year)
    summary.entries = list(
        db.session.scalars(
            db.select(LedgerEntry)
            .join(Course, Course.id == LedgerEntry.course_id)
            .options(contains_eager(LedgerEntry.course), joinedload(LedgerEntry.certificate))
            .where(LedgerEntry.trainee_id == trainee.id, LedgerEntry.year == year)
            .order_by(LedgerEntry.issued_at, LedgerEntry.id)
        )
    )
    for entry in summary.counted_entries:
        _count(summary, entry.status, entry.category, entry.hours)
    return summary


def hours_totals(trainee: Trainee, year: int) -> HoursSummary:
    """`hours_summary` without its entries (the home panel's figures): summed by the database in one
    statement, whatever the length of the year's ledger."""
    summary = _year_of(trainee, year)
    counted = (LedgerStatus.ISSUED, LedgerStatus.RECOGNIZED)
    rows = db.session.execute(
        db.select(LedgerEntry.status, LedgerEntry.category, func.sum(LedgerEntry.hours))
        .where(LedgerEntry.trainee_id == trainee.id, LedgerEntry.year == year, LedgerEntry.status.in_(counted))
        .group_by(LedgerEntry.status, LedgerEntry.category)
        .order_by(LedgerEntry.status, LedgerEntry.category)
    )
    for status, category, hours in rows:
        _count(summary, status, category, hours)
    return summary


def ledger_years(trainee: Trainee) -> list[int]:
    """The years the trainee has ledger entries in, latest first (one DISTINCT, whatever the history)."""
    query = db.select(LedgerEntry.year).where(LedgerEntry.trainee_id == trainee.id).distinct()
    return list(db.session.scalars(query.order_by(LedgerEntry.year.desc())))


def certificate_years(trainee: Trainee) -> list[int]:
    """The years the trainee holds certificates of, latest first."""
    query = db.select(Certificate.year).where(Certificate.trainee_id == trainee.id).distinct()
    return list(db.session.scalars(query.order_by(Certificate.year.desc())))


def certificates_page(trainee: Trainee, year: int, *, limit: int, after: int | None = None) -> Keyset:
    """A keyset page of the trainee's certificates of one year, latest first, with their course
    titles; `after` is the previous page's `next` (a certificate id of the same trainee and year)."""
    query = db.select(Certificate).where(Certificate.trainee_id == trainee.id, Certificate.year == year)
    order = (Certificate.issued_at, Certificate.id)
    options = (joinedload(Certificate.course),)
    return keyset_page(query, order, Certificate, limit=limit, after=after, descending=True, options=options)


def certificate_pages(course: Course, base_url: str):
    """The course's certificates as printable pages, read in batches (for the streaming ZIP)."""
    rows = db.session.scalars(
        db.select(Certificate).where(Certificate.course_id == course.id).order_by(Certificate.sequence)
    ).yield_per(200)
    for certificate in rows:
        yield CertificatePage.of(certificate, base_url)


def hours_statement_lines(summary: HoursSummary) -> list:
    return [
        StatementLine(
            title=entry.course.title,
            category=entry.category,
            hours=float(entry.hours),
            status_label=entry.status_label,
            certificate_number=entry.certificate.number if entry.certificate else "",
        )
        for entry in summary.entries
    ]
